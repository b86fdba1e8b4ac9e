import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../kernel/errors.ts';
import {
  decodeCeb,
  encodeCeb,
  encodeCebReceipt,
  EXPORT_MESSAGE_TYPES,
  RECEIPT_MESSAGE_TYPES,
  validateCeb,
  type CebMessage,
} from './index.ts';
import { SAMPLE_MESSAGES, SAMPLE_RECEIPTS } from './ceb.samples.ts';

const XSD = join(dirname(fileURLToPath(import.meta.url)), 'xsd', 'export-messages.xsd');
const XMLLINT = '/usr/bin/xmllint';
const haveXmllint = existsSync(XMLLINT);
if (!haveXmllint) {
  if (process.env.CI) throw new Error('xmllint is required in CI (apt-get install libxml2-utils)');
  console.warn('!!! xmllint not found: XSD validation tests are SKIPPED (install libxml2-utils) !!!');
}
const dir = mkdtempSync(join(tmpdir(), 'ceb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function xsdValid(name: string, xml: string): void {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  try {
    execFileSync(XMLLINT, ['--noout', '--nonet', '--schema', XSD, file], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    assert.fail(`${name} fails the official XSD:\n${err.stderr?.toString() ?? String(e)}`);
  }
}

describe('CEB export messages: decode → encode round trip, XSD-valid', () => {
  for (const type of EXPORT_MESSAGE_TYPES) {
    test(type, { skip: haveXmllint ? false : 'xmllint missing' }, () => {
      const sample = SAMPLE_MESSAGES[type];
      assert.deepEqual(validateCeb(sample), [], 'sample is valid');
      const xml = encodeCeb(sample);
      assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<ceb:CEB\d{3}Message /);
      xsdValid(type, xml);
      const { message } = decodeCeb(xml);
      assert.equal(message.messageType, type);
      assert.equal(message.appType, '1');
      assert.equal(message.appStatus, '2');
      const expected: CebMessage = { ...sample, appType: '1', appStatus: '2' };
      for (const e of expected.entities) {
        for (const key of Object.keys(e.lists)) e.lists[key] = e.lists[key] ?? [];
      }
      assert.deepEqual(message, expected);
      assert.equal(encodeCeb(message), xml, 'encode(decode(x)) is stable');
      // decoded from bytes too
      assert.deepEqual(decodeCeb(Buffer.from(xml, 'utf8')).message, message);
    });
  }
});

describe('CEB receipts encode XSD-valid and decode back', () => {
  for (const type of RECEIPT_MESSAGE_TYPES) {
    test(type, { skip: haveXmllint ? false : 'xmllint missing' }, () => {
      const receipt = SAMPLE_RECEIPTS[type];
      const xml = encodeCebReceipt(type, 'A1B2C3D4-0000-4000-8000-000000000001', [receipt]);
      xsdValid(type, xml);
      const { message } = decodeCeb(xml);
      assert.equal(message.messageType, type);
      assert.deepEqual(message.entities[0]?.head, receipt);
      assert.deepEqual(validateCeb(message), []);
    });
  }
});

test('elements are emitted in XSD order whatever the object key order', () => {
  const sample = SAMPLE_MESSAGES.CEB505;
  const head = sample.entities[0]?.head ?? {};
  const reversed = Object.fromEntries(Object.entries(head).reverse());
  const xml = encodeCeb({ ...sample, entities: [{ head: reversed, lists: {} }] });
  assert.equal(xml, encodeCeb(sample));
  assert.ok(xml.indexOf('<ceb:guid>') < xml.indexOf('<ceb:appType>'));
  assert.ok(!xml.includes('<ceb:note>'), 'optional empty field omitted');
});

test('special characters are escaped and survive the round trip', () => {
  const xml = encodeCeb(SAMPLE_MESSAGES.CEB303);
  assert.ok(xml.includes('青花瓷 &amp; 脐橙 &lt;礼盒&gt;'));
  assert.equal(decodeCeb(xml).message.entities[0]?.head.note, '青花瓷 & 脐橙 <礼盒>');
});

test('values stay strings (no number coercion)', () => {
  const xml = encodeCeb(SAMPLE_MESSAGES.CEB303).replace('<ceb:freight>0</ceb:freight>', '<ceb:freight>0.00000</ceb:freight>');
  const head = decodeCeb(xml).message.entities[0]?.head;
  assert.equal(head?.freight, '0.00000');
  assert.equal(head?.ebpCode, '3601960001');
});

test('a DxpMsg envelope decodes to the same message', () => {
  const inner = encodeCeb(SAMPLE_MESSAGES.CEB603);
  const env = `<?xml version="1.0" encoding="UTF-8"?>
<DxpMsg ver="1.0" xmlns="http://www.chinaport.gov.cn/dxp" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <TransInfo>
    <CopMsgId>MSG-0001</CopMsgId>
    <SenderId>DXPENT3601980099</SenderId>
    <ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds>
    <CreatTime>2026-11-26T10:30:00</CreatTime>
    <MsgType>CEB603Message</MsgType>
  </TransInfo>
  <Data>${Buffer.from(inner, 'utf8').toString('base64')}</Data>
</DxpMsg>`;
  const decoded = decodeCeb(env);
  assert.deepEqual(decoded.message, decodeCeb(inner).message);
  assert.deepEqual(decoded.dxp, {
    copMsgId: 'MSG-0001',
    senderId: 'DXPENT3601980099',
    receiverIds: ['DXPEDCCEB0000002'],
    creatTime: '2026-11-26T10:30:00',
    msgType: 'CEB603Message',
  });
  assert.throws(() => decodeCeb(env.replace('<MsgType>CEB603Message', '<MsgType>CEB303Message')), /MsgType/);
});

describe('hostile or wrong input is refused with a clear error', () => {
  const good = encodeCeb(SAMPLE_MESSAGES.CEB303);
  const refused = (xml: string | Uint8Array, code: string, pattern: RegExp, limits = {}): void => {
    assert.throws(
      () => decodeCeb(xml, limits),
      (e: unknown) => {
        assert.ok(e instanceof DomainError, String(e));
        assert.equal(e.code, code);
        assert.match(e.message, pattern);
        assert.ok(e.bilingual.zh && e.bilingual.en);
        return true;
      },
    );
  };

  test('DOCTYPE', () => refused(good.replace('?>', '?><!DOCTYPE foo [<!ELEMENT foo ANY>]>'), 'ceb.bad_request', /DOCTYPE/));
  test('ENTITY (billion laughs / XXE)', () =>
    refused(`<!ENTITY xxe SYSTEM "file:///etc/passwd">${good}`, 'ceb.bad_request', /ENTITY/));
  test('deep nesting', () => refused(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`, 'ceb.bad_request', /deeper than 32/));
  test('wrong namespace', () =>
    refused(good.replace('xmlns:ceb="http://www.chinaport.gov.cn/ceb"', 'xmlns:ceb="urn:evil"'), 'ceb.bad_request', /namespace/));
  test('no namespace', () => refused('<CEB303Message guid="x"/>', 'ceb.bad_request', /namespace/));
  test('GBK declaration', () => refused(good.replace('encoding="UTF-8"', 'encoding="GBK"'), 'ceb.unsupported_encoding', /GBK/));
  test('GB18030 declaration', () =>
    refused(good.replace('encoding="UTF-8"', 'encoding="gb18030"'), 'ceb.unsupported_encoding', /gb18030/));
  test('bytes that are not UTF-8', () =>
    refused(Buffer.from([0x3c, 0x61, 0x3e, 0xc7, 0xe0, 0x3c, 0x2f, 0x61, 0x3e]), 'ceb.unsupported_encoding', /UTF-8/));
  test('too large', () => refused(good, 'ceb.payload_too_large', /size limit/, { maxBytes: 100 }));
  test('malformed XML', () =>
    refused('<ceb:CEB303Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"><ceb:Order>', 'ceb.bad_request', /malformed/));
  test('unknown root', () =>
    refused('<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>', 'ceb.unsupported_media_type', /CEB999Message/));
  test('101 entities', () => {
    const order = /<ceb:Order>[\s\S]*<\/ceb:Order>/.exec(good)?.[0] ?? '';
    refused(good.replace(order, Array.from({ length: 101 }, () => order).join('\n')), 'ceb.bad_request', /at most 100 Order/);
  });
  test('100 entities are fine', () => {
    const order = /<ceb:Order>[\s\S]*<\/ceb:Order>/.exec(good)?.[0] ?? '';
    assert.equal(
      decodeCeb(good.replace(order, Array.from({ length: 100 }, () => order).join('\n'))).message.entities.length,
      100,
    );
  });
});

test('a field the spec does not have is kept and refused by name (the XSD refuses it too), in heads and lines', () => {
  const xml = encodeCeb(SAMPLE_MESSAGES.CEB603)
    .replace('<ceb:grossWeight>', '<ceb:grossWieght>1.5</ceb:grossWieght><ceb:grossWeight>')
    .replace('<ceb:gnum>1</ceb:gnum>', '<ceb:gnum>1</ceb:gnum><ceb:brand>青花</ceb:brand>');
  const { message } = decodeCeb(xml);
  assert.equal(message.entities[0]?.head.grossWieght, '1.5');
  assert.deepEqual(
    validateCeb(message).map((p) => [p.field, p.rule]),
    [
      ['Inventory[1]/InventoryHead/grossWieght', 'unknownField'],
      ['Inventory[1]/InventoryList[1]/brand', 'unknownField'],
    ],
  );
  // elements of another namespace are not the sender's fields: still ignored
  const foreign = encodeCeb(SAMPLE_MESSAGES.CEB603).replace(
    '<ceb:grossWeight>',
    '<x:weight xmlns:x="urn:example">1</x:weight><ceb:grossWeight>',
  );
  assert.deepEqual(validateCeb(decodeCeb(foreign).message), []);
});

test('a field named __proto__ or constructor is a field like any other: refused by name, nothing polluted', () => {
  const xml = encodeCeb(SAMPLE_MESSAGES.CEB603).replace(
    '<ceb:grossWeight>',
    '<ceb:__proto__>1</ceb:__proto__><ceb:constructor>2</ceb:constructor><ceb:grossWeight>',
  );
  const { message } = decodeCeb(xml);
  assert.deepEqual(
    validateCeb(message).map((p) => [p.field, p.rule]),
    [
      ['Inventory[1]/InventoryHead/__proto__', 'unknownField'],
      ['Inventory[1]/InventoryHead/constructor', 'unknownField'],
    ],
  );
  assert.equal(Object.getPrototypeOf(message.entities[0]?.head), Object.prototype);
});
