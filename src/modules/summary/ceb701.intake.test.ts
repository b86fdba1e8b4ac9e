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
  // four more close on 20 November
  clock.set(new Date('2026-11-20T02:00:00Z'));
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  await runToClosure(
    Array.from({ length: 4 }, (_, i) => makeParcel(i + 7, 'Q')),
    2,
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
    select invt_no from clr_inventory where logistics_no like 'Q%' and closed_at < '2026-11-15'
    order by invt_no limit 4`.execute(tp.platform.database.db);
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
  // The seller named in the application did not send it: the CEB702 goes to the sender only, but
  // the seller (who lodges the declarations and claims the refund) gets every CEB792 result too.
  const sellerFeed = await feed('seller');
  assert.equal(sellerFeed.filter((i) => i.messageType === 'CEB702').length, 0);
  const seller792 = sellerFeed.filter((i) => i.messageType === 'CEB792' && i.guid === guid);
  assert.deepEqual(seller792.map((r) => r.fields.entryId).sort(), app.declarations.map((d) => d.entryId).sort());
  assert.match(seller792[0]!.xml, /<ceb:CEB792Message[\s\S]*<ceb:SummaryResultHead>/);

  // the same message again is a replay, not a second summary
  const again = await postXml(tp, tokens.broker!, encodeCeb(m));
  assert.equal(again.status, 200);
  assert.equal((again.body as { replayed: boolean }).replayed, true);
  assert.equal((await feed('broker')).filter((i) => i.messageType === 'CEB702').length, 1);
});

interface IntakeOut {
  accepted: number;
  rejected: number;
  entities: { accepted: boolean; returnStatus: string; returnInfo: string; documentId: string | null }[];
}

async function sendCeb701(n: string, head: Record<string, string>, invtNos: string[]): Promise<IntakeOut['entities'][number]> {
  const res = await postXml(
    tp,
    tokens.broker!,
    encodeCeb(ceb701(`B7010000-0000-4000-8000-0000000000${n}`, PARTIES.broker, head, invtNos)),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body as unknown as IntakeOut).entities[0]!;
}

async function application(id: string): Promise<{ inventoryCount: number; declarations: { id: string }[] }> {
  const a = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/summary/applications/${id}`,
    headers: { authorization: `Bearer ${tokens.seller}` },
  });
  assert.equal(a.statusCode, 200, a.body);
  return a.json() as { inventoryCount: number; declarations: { id: string }[] };
}

const unsummarised = async (): Promise<{ invt_no: string; closed_at: Date }[]> =>
  (
    await sql<{ invt_no: string; closed_at: Date }>`
      select i.invt_no, i.closed_at from clr_inventory i
      where i.logistics_no like 'Q%' and not exists (select 1 from sum_claim c where c.inventory_id = i.document_id)
      order by i.invt_no`.execute(tp.platform.database.db)
  ).rows;

test('CEB701 startTime/endTime: only inventories closed inside the window are summarised', async () => {
  assert.equal((await unsummarised()).length, 6, 'two of 10 November and four of 20 November wait');
  // the list is ignored when a window is given (the XSD wants one entry): it names a 20 November one
  const later = (await unsummarised()).filter((x) => x.closed_at > new Date('2026-11-15T00:00:00Z'));
  // a window in which nothing closed: refused, nothing formed
  const empty = await sendCeb701(
    'C1',
    {
      ...baseHead,
      guid: 'A7010000-0000-4000-8000-0000000000C1',
      copNo: 'Q-WIN-EMPTY',
      startTime: '20261111000000',
      endTime: '20261119235959',
    },
    [later[0]!.invt_no],
  );
  assert.equal(empty.returnStatus, '100');
  assert.match(empty.returnInfo, /所选范围内没有待汇总/);
  // 1–15 November: the two of the 10th, not the four of the 20th
  const win = await sendCeb701(
    'C2',
    {
      ...baseHead,
      guid: 'A7010000-0000-4000-8000-0000000000C2',
      copNo: 'Q-WIN-1',
      startTime: '20261101000000',
      endTime: '20261115235959',
    },
    [later[0]!.invt_no],
  );
  assert.equal(win.returnStatus, '399', win.returnInfo);
  assert.equal((await application(win.documentId!)).inventoryCount, 2);
  const left = await unsummarised();
  assert.equal(left.length, 4);
  assert.ok(
    left.every((x) => x.closed_at > new Date('2026-11-15T00:00:00Z')),
    'the 20 November inventories wait',
  );
});

test('a split CEB701 (msgCount 2) waits for every part, then forms one summary of all their inventories', async () => {
  const left = (await unsummarised()).map((x) => x.invt_no);
  assert.equal(left.length, 4);
  const head = { ...baseHead, guid: 'A7010000-0000-4000-8000-0000000000D1', copNo: 'Q-SPLIT-1', msgCount: '2' };
  const apps = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(tp.platform.database.db)).rows[0]!.n;
  const parts = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from sum_ceb701_part`.execute(tp.platform.database.db)).rows[0]!.n;
  const before = await apps();
  const first = await sendCeb701('D1', { ...head, msgSeqNo: '1' }, left.slice(0, 2));
  assert.equal(first.accepted, true);
  assert.equal(first.returnStatus, '2');
  assert.match(first.returnInfo, /1\/2/);
  assert.equal(first.documentId, null);
  assert.equal(await apps(), before, 'nothing formed before every part is in');
  assert.equal(await parts(), 1);
  // a part that does not belong (another summaryFlag) is refused and not kept
  const odd = await sendCeb701('D2', { ...head, msgSeqNo: '2', summaryFlag: '1' }, left.slice(2));
  assert.equal(odd.returnStatus, '100');
  assert.match(odd.returnInfo, /summaryFlag/);
  assert.equal(await parts(), 1);
  const last = await sendCeb701('D3', { ...head, msgSeqNo: '2' }, left.slice(2));
  assert.equal(last.returnStatus, '399', last.returnInfo);
  assert.equal(await apps(), before + 1, 'formed once');
  assert.equal((await application(last.documentId!)).inventoryCount, 4, 'the inventories of both parts');
  assert.equal(await parts(), 0, 'the parts are gone once formed');
  assert.equal((await unsummarised()).length, 0);
  const r702 = (await feed('broker')).filter((i) => i.messageType === 'CEB702' && i.guid === head.guid);
  assert.deepEqual(
    r702.map((r) => r.returnStatus),
    ['2', '100', '399'],
  );
  if (!xmllintMissing()) assertXsdValid(r702.map((r, i) => ({ name: `ceb702-part-${i}`, xml: r.xml })));
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
