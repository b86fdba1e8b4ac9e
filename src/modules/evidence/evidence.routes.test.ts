import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fillInvtNos, type CebMessage } from '../../ceb/index.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { SENDER_USER, submitOk } from '../../../test/support/clearance.ts';
import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { pdfText } from '../../../test/support/pdf-text.ts';
import { createEvidenceService } from './evidence.service.ts';
import { verifyPack, type EvidencePack } from './rules/pack.rules.ts';

const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let declarationId = '';
let ps: Parcel[] = [];

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  ps = Array.from({ length: 4 }, (_, i) => makeParcel(i + 1, 'E'));
  const ms: CebMessage[] = [
    message(
      'CEB303',
      guidOf(3034, 1),
      PARTIES.platform,
      ps.map((p) => p.order),
    ),
    message(
      'CEB403',
      guidOf(4034, 1),
      PARTIES.payer,
      ps.map((p) => p.payment),
    ),
    message(
      'CEB505',
      guidOf(5054, 1),
      PARTIES.carrier,
      ps.map((p) => p.waybill),
    ),
    message(
      'CEB603',
      guidOf(6034, 1),
      PARTIES.broker,
      ps.map((p) => p.inventory),
    ),
  ];
  const site = siteMessages(1, ps, 'E');
  ms.push(site.arrival, site.consolidation, site.departure);
  for (const m of ms) {
    const out = await submitOk(tp, tokens[SENDER_USER[m.messageType]!]!, m);
    assert.equal(out.rejected, 0);
    // the broker's total-sub bill names each inventory by the number intake gave it
    if (m.messageType === 'CEB603') fillInvtNos(ms, m, out);
    await tp.platform.outbox.drain();
  }
  await tp.platform.settle();
  clock.set(new Date('2026-11-02T01:00:00Z'));
  for (const u of ['seller', 'seller2', 'tax']) tokens[u] = await login(tp.platform, u);
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/summary/applications',
    headers: { authorization: `Bearer ${tokens.seller}` },
    payload: { period: '2026-10' },
  });
  assert.equal(res.statusCode, 201, res.body);
  declarationId = (res.json() as { declarations: { id: string }[] }).declarations[0]!.id;
});
after(async () => {
  await tp.stop();
});

const get = (user: string, url: string) =>
  tp.platform.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[user]}` } });

test('the seller downloads the JSON pack: order ↔ payment ↔ waybill ↔ inventory ↔ departure ↔ summary, verified by the CLI', async () => {
  const res = await get('seller', `/api/v1/evidence/declarations/${declarationId}`);
  assert.equal(res.statusCode, 200, res.body);
  const pack = res.json() as EvidencePack;
  assert.deepEqual(
    pack.parts.map((p) => p.name),
    [
      'declaration',
      'summary_lineage',
      'inventories',
      'orders',
      'payments',
      'waybills',
      'departures',
      'customs_receipts',
      'proceeds',
    ],
  );
  const orders = pack.parts.find((p) => p.name === 'orders')!.data as { orderNo: string }[];
  const payments = pack.parts.find((p) => p.name === 'payments')!.data as { orderNo: string; payNo: string }[];
  assert.equal(orders.length, 4);
  assert.deepEqual(
    payments.map((p) => p.orderNo),
    orders.map((o) => o.orderNo),
    'each collection beside its order',
  );
  const departures = pack.parts.find((p) => p.name === 'departures')!.data as { events: { kind: string }[] }[];
  assert.ok(departures.every((d) => d.events.some((e) => e.kind === 'departure')));
  // What customs answered, per parcel: each inventory's CEB604 went to 899 (closed on departure).
  const receipts = pack.parts.find((p) => p.name === 'customs_receipts')!.data as {
    invtNo: string;
    messageType: string;
    returnStatus: string;
    returnTime: string;
  }[];
  const inventories = pack.parts.find((p) => p.name === 'inventories')!.data as { invtNo: string }[];
  for (const inv of inventories) {
    const mine = receipts.filter((r) => r.invtNo === inv.invtNo);
    for (const s of ['399', '800', '899'])
      assert.ok(
        mine.some((r) => r.messageType === 'CEB604' && r.returnStatus === s),
        `${inv.invtNo}: CEB604 ${s} in ${mine.map((r) => `${r.messageType}/${r.returnStatus}`).join(',')}`,
      );
    assert.ok(
      mine.some((r) => r.messageType === 'CEB304'),
      `${inv.invtNo}: the order's receipt`,
    );
  }
  assert.deepEqual(
    [...new Set(receipts.map((r) => r.invtNo))],
    inventories.map((i) => i.invtNo),
    'in parcel order',
  );
  const stored = await sql<{ n: number }>`
    select count(distinct (r.document_id, r.message_type, r.return_status, r.return_time))::int as n
    from clr_receipt r join clr_inventory i on i.document_id = r.document_id
    where i.document_id in (select inventory_id from sum_lineage where declaration_id = ${declarationId})`.execute(
    tp.platform.database.db,
  );
  assert.equal(
    receipts.filter((r) => r.messageType === 'CEB604').length,
    stored.rows[0]!.n,
    'every inventory receipt customs stored, copies to several parties collapsed',
  );

  const dir = mkdtempSync(path.join(tmpdir(), 'cbec-evidence-'));
  try {
    const file = path.join(dir, 'pack.json');
    writeFileSync(file, res.body);
    const ok = execFileSync('npx', ['tsx', 'src/cli/cbec.ts', 'evidence', 'verify', file], { encoding: 'utf8' });
    assert.match(ok, /intact/);
    writeFileSync(file, res.body.replace(payments[0]!.payNo, 'PAY-FORGED'));
    let code = 0;
    let out = '';
    try {
      execFileSync('npx', ['tsx', 'src/cli/cbec.ts', 'evidence', 'verify', file], { encoding: 'utf8' });
    } catch (e) {
      code = (e as { status: number }).status;
      out = String((e as { stdout: string }).stdout);
    }
    assert.equal(code, 1);
    assert.match(out, /part changed: payments/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a declaration pack read in pages of any size holds every parcel the declaration covers, and is the same pack', async () => {
  const db = tp.platform.database.db;
  const principal = await tp.platform.auth.authenticate(tokens.seller!);
  const stored = await sql<{ invt_no: string }>`
    select distinct invt_no from sum_lineage where declaration_id = ${declarationId} order by invt_no`.execute(db);
  const storedLineage = await sql<{ n: number }>`
    select count(*)::int as n from sum_lineage where declaration_id = ${declarationId}`.execute(db);
  assert.equal(stored.rows.length, ps.length, 'the declaration covers every parcel');
  const spools = () => readdirSync(tmpdir()).filter((f) => f.startsWith('cbec-pack-')).length;
  const spoolsBefore = spools();
  const read = async (pageSize: number): Promise<EvidencePack> => {
    const pk = await createEvidenceService({ db, clock, pageSize }).json(principal, declarationId);
    const chunks: Buffer[] = [];
    for await (const c of pk.stream()) chunks.push(Buffer.from(c as Buffer));
    const pack = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EvidencePack;
    assert.equal(pack.packSha256, pk.packSha256);
    return pack;
  };
  const atOnce = await read(10_000);
  for (const size of [1, 2, 3]) {
    const pack = await read(size);
    assert.deepEqual(verifyPack(pack), { ok: true, problems: [] }, `page size ${size}`);
    const part = <T>(name: string): T => pack.parts.find((x) => x.name === name)!.data as T;
    assert.deepEqual(
      part<{ invtNo: string }[]>('inventories').map((x) => x.invtNo),
      stored.rows.map((x) => x.invt_no),
      `page size ${size}: every stored parcel, in order`,
    );
    for (const name of ['orders', 'payments', 'waybills', 'departures'])
      assert.equal(part<unknown[]>(name).length, ps.length, `page size ${size}: ${name}`);
    assert.ok(part<unknown[]>('customs_receipts').length > ps.length, `page size ${size}: customs receipts`);
    assert.equal(part<unknown[]>('summary_lineage').length, storedLineage.rows[0]!.n, `page size ${size}: lineage`);
    const decl = part<{ inventoryCount: number; inventoriesInPack: number; truncated: boolean }>('declaration');
    assert.deepEqual([decl.inventoriesInPack, decl.truncated], [ps.length, false]);
    assert.equal(pack.packSha256, atOnce.packSha256, `page size ${size}: the same pack as read at once`);
  }
  assert.equal(spools(), spoolsBefore, 'the temporary files are gone once the pack was sent');
});

test('the PDF renders Chinese with an embedded CJK font; the tax officer may read it, another seller may not', async () => {
  const res = await get('seller', `/api/v1/evidence/declarations/${declarationId}/pdf`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/pdf');
  const pdf = res.rawPayload;
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.match(pdf.toString('latin1'), /WenQuanYiZenHei|NotoSansCJK/);
  // The Chinese text itself, as the PDF shows it: the part titles and the declaration's entry number.
  const text = pdfText(pdf);
  const all = text.join('\n');
  for (const title of ['跨境电商出口证据包', '出口报关单', '申报清单', '海关回执', '收汇情况'])
    assert.ok(all.includes(title), `the PDF shows ${title}: ${text.slice(0, 12).join(' | ')}`);
  assert.ok(!all.includes('\uFFFD'), 'every glyph maps back to a character');
  const entryId = (
    await sql<{ entry_id: string }>`select entry_id from sum_declaration where id = ${declarationId}`.execute(
      tp.platform.database.db,
    )
  ).rows[0]!.entry_id;
  assert.ok(all.includes(`报关单号 entryId: ${entryId}`), 'the subject line names the declaration');
  assert.match(String(res.headers['x-pack-sha256']), /^[0-9a-f]{64}$/);
  const json = await get('seller', `/api/v1/evidence/declarations/${declarationId}`);
  assert.equal(json.headers['x-pack-sha256'], res.headers['x-pack-sha256'], 'the PDF states the hash of the JSON pack');
  assert.equal((json.json() as EvidencePack).packSha256, res.headers['x-pack-sha256']);
  assert.equal((await get('tax', `/api/v1/evidence/declarations/${declarationId}`)).statusCode, 200);
  assert.equal((await get('seller2', `/api/v1/evidence/declarations/${declarationId}`)).statusCode, 404);
});

test('the order pack: one order from order to proceeds, each part hashed; who may read it', async () => {
  const p = ps[0]!;
  // The clock moved a fortnight on since the parcels left: their senders log in again.
  for (const u of ['payer', 'platform']) tokens[u] = await login(tp.platform, u);
  const receipt = {
    refNo: 'EV-BANK-1',
    institutionKind: 'payment',
    institutionCode: PARTIES.payer.code,
    ebcCode: PARTIES.seller.code,
    orderNo: p.orderNo,
    currency: '142',
    amount: String(p.payment.head.charge),
    receivedOn: '2026-10-25',
    payerName: 'Buyer',
  };
  const imp = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/forex/receipts/batch',
    headers: { authorization: `Bearer ${tokens.payer}` },
    payload: { rows: [receipt] },
  });
  assert.equal(imp.statusCode, 200, imp.body);
  assert.equal((imp.json() as { imported: number }).imported, 1);

  const res = await get('seller', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}`);
  assert.equal(res.statusCode, 200, res.body);
  const pack = res.json() as EvidencePack;
  assert.equal(pack.subject.kind, 'order');
  assert.deepEqual(
    pack.parts.map((x) => x.name),
    ['order', 'payment', 'waybill', 'inventory', 'departure', 'customs_receipts', 'summary_lineage', 'declarations', 'proceeds'],
  );
  assert.deepEqual(verifyPack(pack), { ok: true, problems: [] });
  const part = <T>(name: string): T => pack.parts.find((x) => x.name === name)!.data as T;
  assert.equal(part<{ orderNo: string; lines: unknown[] }>('order').orderNo, p.orderNo);
  assert.equal(part<{ lines: unknown[] }>('order').lines.length, Object.values(p.order.lists).flat().length);
  assert.equal(part<{ payNo: string }>('payment').payNo, p.payment.head.payNo);
  assert.equal(part<{ logisticsNo: string }>('waybill').logisticsNo, p.logisticsNo);
  const inv = part<{ invtNo: string; status: string; earlier: unknown[] }>('inventory');
  assert.equal(inv.status, '899');
  assert.deepEqual(inv.earlier, []);
  assert.ok(part<{ kind: string }[]>('departure').some((e) => e.kind === 'departure'));
  // The receipts prove the lifecycle: the inventory's CEB604 went 120 → 399 → 800 → 899, the order's CEB304 120.
  const receipts = part<{ messageType: string; returnStatus: string }[]>('customs_receipts');
  const inventoryStatuses = receipts.filter((r) => r.messageType === 'CEB604').map((r) => r.returnStatus);
  for (const s of ['399', '800', '899'])
    assert.ok(inventoryStatuses.includes(s), `CEB604 ${s} in ${inventoryStatuses.join(',')}`);
  assert.ok(receipts.some((r) => r.messageType === 'CEB304'));
  assert.equal(receipts.length, new Set(receipts.map((r) => JSON.stringify(r))).size, 'copies to several parties collapse');
  const decls = part<{ entryId: string; lines: unknown[] }[]>('declarations');
  assert.equal(decls.length, 1);
  assert.ok(decls[0]!.lines.length >= 1);
  assert.ok(part<{ gnum: number; entryId: string }[]>('summary_lineage').every((l) => l.entryId === decls[0]!.entryId));
  assert.deepEqual(
    part<{ bankReceipts: { refNo: string; amount: string }[] }>('proceeds').bankReceipts.map((r) => r.refNo),
    ['EV-BANK-1'],
  );
  // The declaration pack lists the same receipt among its proceeds.
  const dpack = (await get('seller', `/api/v1/evidence/declarations/${declarationId}`)).json() as EvidencePack;
  const dproceeds = dpack.parts.find((x) => x.name === 'proceeds')!.data as { bankReceipts: { refNo: string }[] };
  assert.deepEqual(
    dproceeds.bankReceipts.map((r) => r.refNo),
    ['EV-BANK-1'],
  );

  // The platform that carried the order reads the same pack; with its code the pack is the same.
  const byPlatform = await get('platform', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}`);
  assert.equal(byPlatform.statusCode, 200, byPlatform.body);
  assert.deepEqual((byPlatform.json() as EvidencePack).manifest, pack.manifest);
  // Officers name the platform: an order number is unique only per platform.
  const noEbp = await get('tax', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}`);
  assert.equal(noEbp.statusCode, 400);
  assert.match(noEbp.body, /query\.ebpCode/);
  const tax = await get('tax', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}?ebpCode=${PARTIES.platform.code}`);
  assert.equal(tax.statusCode, 200, tax.body);
  // Another seller, a carrier not party to the order, a wrong platform code: 404, nothing learnt.
  assert.equal((await get('seller2', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}`)).statusCode, 404);
  assert.equal(
    (await get('seller2', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}?ebpCode=${PARTIES.platform.code}`))
      .statusCode,
    404,
  );
  assert.equal(
    (await get('seller', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}?ebpCode=3601999999`)).statusCode,
    404,
  );
  assert.equal((await get('seller', `/api/v1/evidence/orders/NO-SUCH-ORDER`)).statusCode, 404);
  assert.equal((await get('seller', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}?ebpCode=bad`)).statusCode, 400);

  const pdf = await get('seller', `/api/v1/evidence/orders/${encodeURIComponent(p.orderNo)}/pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.equal(pdf.headers['x-pack-sha256'], pack.packSha256, 'the PDF states the hash of the same pack');
  assert.match(pdf.rawPayload.toString('latin1'), /WenQuanYiZenHei|NotoSansCJK/);
});
