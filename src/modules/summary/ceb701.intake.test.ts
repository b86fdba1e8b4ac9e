import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { encodeCeb, type CebMessage } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { postXml, closeParcels } from '../../../test/support/clearance.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';

// Parcels close in November 2026 (China time); the broker summarises November on 1 December
// by sending a raw CEB701 to the CEB endpoint, like every other message.
const SELLER2 = { code: '3601260999', name: '赣州脐橙电商有限公司' };
const clock = fixedClock(new Date('2026-11-10T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};

const runToClosure = (ps: Parcel[], batch: number): Promise<void> => closeParcels(tp, tokens, ps, batch, 'Q');

function ceb701(
  guid: string,
  sender: { code: string; name: string },
  head: Record<string, string>,
  invtNos: string[],
): CebMessage {
  return {
    messageType: 'CEB701',
    guid,
    version: '1.0',
    entities: [{ head, lists: { SummaryApplyList: invtNos.map((invtNo) => ({ invtNo })) } }],
    baseTransfer: { copCode: sender.code, copName: sender.name, dxpMode: 'DXP', dxpId: `DXPENT${sender.code}` },
  };
}

interface FeedItem {
  messageType: string;
  guid: string;
  returnStatus: string;
  fields: Record<string, string>;
  xml: string;
}

async function feed(user: string): Promise<FeedItem[]> {
  await tp.platform.settle();
  const res = await tp.platform.app.inject({
    method: 'GET',
    url: '/api/v1/ceb/receipts?after=0&limit=1000',
    headers: { authorization: `Bearer ${tokens[user]}` },
  });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { items: FeedItem[] }).items;
}

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'seller2'])
    tokens[u] = await login(tp.platform, u);
  await runToClosure(
    Array.from({ length: 6 }, (_, i) => makeParcel(i + 1, 'Q')),
    1,
  );
  clock.set(new Date('2026-12-01T03:00:00Z'));
  for (const u of ['broker', 'seller', 'seller2']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

const baseHead = {
  appType: '1',
  appTime: '20261201110000',
  appStatus: '2',
  customsCode: '4006',
  agentCode: PARTIES.broker.code,
  agentName: PARTIES.broker.name,
  ebcCode: PARTIES.seller.code,
  ebcName: PARTIES.seller.name,
  declAgentCode: PARTIES.broker.code,
  declAgentName: PARTIES.broker.name,
  summaryFlag: '2',
  itemNameFlag: '0',
  msgCount: '1',
  msgSeqNo: '1',
};

test('a raw CEB701 on POST /api/v1/ceb forms the summary; CEB702 and CEB792 enter the receipt feed', async () => {
  const invt = await sql<{ invt_no: string }>`
    select invt_no from clr_inventory where logistics_no like 'Q%' order by invt_no limit 4`.execute(tp.platform.database.db);
  assert.equal(invt.rows.length, 4);
  const guid = 'A7010000-0000-4000-8000-0000000000A1';
  const m = ceb701(
    'B7010000-0000-4000-8000-0000000000A1',
    PARTIES.broker,
    { ...baseHead, guid, copNo: 'Q-SUM-2026-11' },
    invt.rows.map((r) => r.invt_no),
  );
  const res = await postXml(tp, tokens.broker!, encodeCeb(m));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const out = res.body as {
    messageType: string;
    accepted: number;
    rejected: number;
    entities: { accepted: boolean; returnStatus: string; documentId: string }[];
  };
  assert.equal(out.messageType, 'CEB701');
  assert.equal(out.accepted, 1, JSON.stringify(out.entities));
  assert.equal(out.entities[0]!.returnStatus, '399');

  const a = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/summary/applications/${out.entities[0]!.documentId}`,
    headers: { authorization: `Bearer ${tokens.seller}` },
  });
  assert.equal(a.statusCode, 200);
  const app = a.json() as { inventoryCount: number; source: string; declarations: { entryId: string }[] };
  assert.equal(app.inventoryCount, 4, 'only the listed inventories');
  assert.equal(app.source, 'ceb701');

  const items = await feed('broker');
  const r702 = items.filter((i) => i.messageType === 'CEB702' && i.guid === guid);
  const r792 = items.filter((i) => i.messageType === 'CEB792' && i.guid === guid);
  assert.equal(r702.length, 1);
  assert.equal(r702[0]!.returnStatus, '399');
  assert.match(r702[0]!.xml, /<ceb:CEB702Message[\s\S]*<ceb:returnStatus>399</);
  assert.equal(r792.length, app.declarations.length);
  assert.deepEqual(r792.map((r) => r.fields.entryId).sort(), app.declarations.map((d) => d.entryId).sort());
  assert.match(r792[0]!.xml, /<ceb:CEB792Message[\s\S]*<ceb:SummaryResultHead>/);
  if (!xmllintMissing())
    assertXsdValid([
      { name: 'ceb702-feed', xml: r702[0]!.xml },
      { name: 'ceb792-feed', xml: r792[0]!.xml },
    ]);
  // the seller named in the application did not send it: the receipts go to the sender
  assert.equal((await feed('seller')).filter((i) => i.messageType === 'CEB702').length, 0);

  // the same message again is a replay, not a second summary
  const again = await postXml(tp, tokens.broker!, encodeCeb(m));
  assert.equal(again.status, 200);
  assert.equal((again.body as { replayed: boolean }).replayed, true);
  assert.equal((await feed('broker')).filter((i) => i.messageType === 'CEB702').length, 1);
});

test('CEB701 from an enterprise that is neither the consignor nor the agent named is rejected -301020 with a CEB702', async () => {
  const guid = 'A7010000-0000-4000-8000-0000000000A2';
  const m = ceb701(
    'B7010000-0000-4000-8000-0000000000A2',
    SELLER2,
    { ...baseHead, guid, copNo: 'Q-SUM-FOREIGN', startTime: '20261101000000', endTime: '20261130235959' },
    ['400620261000000001'],
  );
  const before = await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(tp.platform.database.db);
  const res = await postXml(tp, tokens.seller2!, encodeCeb(m));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const out = res.body as { accepted: number; entities: { returnStatus: string }[] };
  assert.equal(out.accepted, 0);
  assert.equal(out.entities[0]!.returnStatus, '-301020');
  const after = await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(tp.platform.database.db);
  assert.equal(after.rows[0]!.n, before.rows[0]!.n, 'nothing formed');
  const r702 = (await feed('seller2')).filter((i) => i.messageType === 'CEB702' && i.guid === guid);
  assert.equal(r702.length, 1);
  assert.equal(r702[0]!.returnStatus, '-301020');
});

test('an invalid CEB701 is refused whole (400, CEB900) like any other message', async () => {
  const m = ceb701(
    'B7010000-0000-4000-8000-0000000000A3',
    PARTIES.broker,
    { ...baseHead, guid: 'A7010000-0000-4000-8000-0000000000A3', copNo: 'Q-BAD', summaryFlag: '' },
    ['400620261000000001'],
  );
  const res = await postXml(tp, tokens.broker!, encodeCeb(m));
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(JSON.stringify(res.body), /summaryFlag/);
});

test('CEB701 change or delete (appType 2/3) is refused by a CEB702 100 that says why; nothing changes', async () => {
  const before = await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(tp.platform.database.db);
  for (const appType of ['2', '3']) {
    const guid = `A7010000-0000-4000-8000-0000000000B${appType}`;
    const m = ceb701(
      `B7010000-0000-4000-8000-0000000000B${appType}`,
      PARTIES.broker,
      { ...baseHead, guid, appType, copNo: 'Q-SUM-2026-11', startTime: '20261101000000', endTime: '20261130235959' },
      ['400620261000000001'],
    );
    const res = await postXml(tp, tokens.broker!, encodeCeb(m));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const e = (res.body as { entities: { accepted: boolean; returnStatus: string; returnInfo: string }[] }).entities[0]!;
    assert.equal(e.accepted, false);
    assert.equal(e.returnStatus, '100');
    assert.match(e.returnInfo, /appType 1.*amended or withdrawn/);
  }
  const after = await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(tp.platform.database.db);
  assert.equal(after.rows[0]!.n, before.rows[0]!.n);
});
