import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { asOrange, inspectionSuite, ORANGE_FILING, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { beijingDay } from './rules/declaration.rules.ts';

// Inspection filing after approval (全备案): the enterprise amends it (back to review), the desk
// suspends, reinstates or revokes it; a certificate past its valid-until day takes it out of force.
// Only a filing in force lets a quarantine parcel through; the others hold it (hold lane, 300).

const suite = inspectionSuite({ guids: 72 });
const { tp, api, statusNow } = suite;
const db = () => tp.platform.database.db;
const declare = (n: number) => suite.declare(n, 'FL', asOrange);

interface FilingView {
  id: string;
  itemNo: string | null;
  status: string;
  expired: boolean;
  inForce: boolean;
  reason: string | null;
}

async function orangeFiling(user = 'seller2'): Promise<FilingView> {
  const items = (await api(user, 'GET', '/api/v1/inspection/filings')).body.items as unknown as FilingView[];
  return items.find((f) => f.itemNo === 'GZ-ORANGE-5KG')!;
}

async function lane(id: string): Promise<string | null> {
  const r = await sql<{ lane: string | null }>`select lane from clr_inventory where document_id = ${id}`.execute(db());
  return r.rows[0]!.lane;
}

const day = (offsetDays: number) => beijingDay(new Date(Date.now() + offsetDays * 86_400_000));

test('suspend, reinstate, amend and revoke: only a filing in force lets a quarantine parcel through', async () => {
  const filing = await orangeFiling();
  assert.deepEqual([filing.status, filing.inForce, filing.expired], ['approved', true, false]);
  const id = filing.id;
  const first = await declare(1);
  assert.deepEqual(await statusNow(first.p), ['399'], 'the demo filing is in force');

  // Suspending needs a reason, and the inspection desk: nothing changes otherwise.
  const noReason = await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/suspend`, {});
  assert.equal(noReason.status, 400);
  assert.match(JSON.stringify(noReason.body), /暂停备案必须说明理由.*a filing is suspended with a reason/);
  assert.equal((await api('seller2', 'POST', `/api/v1/inspection/filings/${id}/suspend`, { reason: 'x' })).status, 403);
  assert.equal((await api('customs', 'POST', `/api/v1/inspection/filings/${id}/suspend`, { reason: 'x' })).status, 403);
  assert.equal((await orangeFiling()).status, 'approved');

  const suspended = await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/suspend`, {
    reason: '果园检出检疫性有害生物，暂停出口',
  });
  assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
  assert.deepEqual([suspended.body.status, suspended.body.inForce], ['suspended', false]);
  const held = await declare(2);
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.equal(await lane(held.id), 'hold');

  // Reinstated: the held parcel is decided again and released.
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/reinstate`)).status, 200);
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/reinstate`)).status, 409, 'not suspended');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(held.p), ['399']);

  // Amending: only the enterprise's own filing (another's is 404), every problem named, a
  // certificate already expired refused; the amendment goes back to review and holds parcels.
  const amendment = {
    producer: '赣州市安远县脐橙种植基地（二期）',
    certificates: [{ type: '出境水果果园注册', number: '3600GY0099', validUntil: day(400) }],
  };
  assert.equal((await api('seller', 'POST', `/api/v1/inspection/filings/${id}/amend`, amendment)).status, 404);
  const badDate = await api('seller2', 'POST', `/api/v1/inspection/filings/${id}/amend`, {
    ...amendment,
    certificates: [
      { type: '果园注册', number: 'A1', validUntil: '2027-02-30' },
      { type: '果园注册', number: 'A2', validUntil: '2020-01-01' },
    ],
  });
  assert.equal(badDate.status, 400);
  assert.deepEqual(
    (badDate.body.errors as { field: string; rule: string }[]).map((e) => `${e.field}:${e.rule}`),
    ['certificates[0].validUntil:date', 'certificates[1].validUntil:notExpired'],
  );
  assert.match(JSON.stringify(badDate.body), /证书 A2 已于 2020-01-01 过期.*certificate A2 expired on 2020-01-01/);
  assert.equal((await orangeFiling()).status, 'approved', 'nothing changed');
  const amended = await api('seller2', 'POST', `/api/v1/inspection/filings/${id}/amend`, amendment);
  assert.equal(amended.status, 200, JSON.stringify(amended.body));
  assert.deepEqual([amended.body.status, amended.body.producer], ['submitted', amendment.producer]);
  assert.equal((await api('seller2', 'POST', `/api/v1/inspection/filings/${id}/amend`, amendment)).status, 409, 'under review');
  const waiting = await declare(3);
  assert.deepEqual(await statusNow(waiting.p), ['300'], 'an amended filing counts again once approved');
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/decision`, { approve: true })).status, 200);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(waiting.p), ['399']);

  // Revoked: parcels held, no way back but filing again (and a new approval).
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/revoke`, {})).status, 400);
  const revoked = await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/revoke`, { reason: '提供虚假材料' });
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  assert.deepEqual([revoked.body.status, revoked.body.reason], ['revoked', '提供虚假材料']);
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/revoke`, { reason: 'x' })).status, 409);
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/reinstate`)).status, 409);
  assert.equal((await api('seller2', 'POST', `/api/v1/inspection/filings/${id}/amend`, amendment)).status, 409);
  const afterRevoke = await declare(4);
  assert.deepEqual(await statusNow(afterRevoke.p), ['300']);
  const refiled = await api('seller2', 'POST', '/api/v1/inspection/filings', ORANGE_FILING);
  assert.equal(refiled.status, 201, JSON.stringify(refiled.body));
  assert.deepEqual([refiled.body.id, refiled.body.status], [id, 'submitted']);
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/decision`, { approve: true })).status, 200);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(afterRevoke.p), ['399']);

  await tp.platform.settle();
  const actions = await sql<{ action: string }>`
    select action from audit_log where entity_id = ${id} and action like 'inspection.filing.%' order by seq`.execute(db());
  assert.deepEqual(
    actions.rows.map((r) => r.action),
    [
      'inspection.filing.suspend',
      'inspection.filing.reinstate',
      'inspection.filing.amend',
      'inspection.filing.approve',
      'inspection.filing.revoke',
      'inspection.filing.submit',
      'inspection.filing.approve',
    ],
  );
});

test('a certificate past its valid-until day takes the filing out of force for new decisions', async () => {
  const filing = await orangeFiling();
  // The certificate runs out (yesterday, Beijing time): the filing shows expired, not in force.
  await sql`
    update insp_filing set certificates = jsonb_build_array(jsonb_build_object('type', '果园注册', 'number', 'OLD-1', 'validUntil', ${day(-1)}::text))
    where id = ${filing.id}`.execute(db());
  const expired = await orangeFiling('inspection');
  assert.deepEqual([expired.status, expired.expired, expired.inForce], ['approved', true, false]);
  const held = await declare(10);
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.equal(await lane(held.id), 'hold');
  // Nor is a new batch declared for it.
  const batch = await api('seller2', 'POST', '/api/v1/inspection/batches', {
    batchNo: 'FL-EXP-1',
    itemNo: 'GZ-ORANGE-5KG',
    qty: '5',
  });
  assert.equal(batch.status, 400);
  assert.match(JSON.stringify(batch.body), /证书已过期.*certificate has expired/);

  // Valid until today still counts.
  await sql`
    update insp_filing set certificates = jsonb_build_array(jsonb_build_object('type', '果园注册', 'number', 'OLD-1', 'validUntil', ${day(0)}::text))
    where id = ${filing.id}`.execute(db());
  const today = await declare(11);
  assert.deepEqual(await statusNow(today.p), ['399']);

  // The enterprise's own filing counts too (全备案).
  await sql`
    update insp_filing set certificates = jsonb_build_array(jsonb_build_object('type', '包装厂注册', 'number', 'E-1', 'validUntil', ${day(-3)}::text))
    where kind = 'enterprise' and enterprise_code = ${ORANGE_SELLER.code}`.execute(db());
  const enterpriseExpired = await declare(12);
  assert.deepEqual(await statusNow(enterpriseExpired.p), ['300']);
  await sql`
    update insp_filing set certificates = jsonb_build_array(jsonb_build_object('type', '包装厂注册', 'number', 'E-1', 'validUntil', ${day(365)}::text))
    where kind = 'enterprise' and enterprise_code = ${ORANGE_SELLER.code}`.execute(db());

  // Renewed by an amendment that ran out while it waited for review: the desk cannot approve it.
  const renewed = await api('seller2', 'POST', `/api/v1/inspection/filings/${filing.id}/amend`, {
    producer: '赣州市安远县脐橙种植基地',
    certificates: [{ type: '果园注册', number: 'NEW-1', validUntil: day(30) }],
  });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  await sql`
    update insp_filing set certificates = jsonb_build_array(jsonb_build_object('type', '果园注册', 'number', 'NEW-1', 'validUntil', ${day(-1)}::text))
    where id = ${filing.id}`.execute(db());
  const refused = await api('inspection', 'POST', `/api/v1/inspection/filings/${filing.id}/decision`, { approve: true });
  assert.equal(refused.status, 400);
  assert.match(JSON.stringify(refused.body), /证书 NEW-1 已于 .* 过期，不能通过备案.*certificate NEW-1 expired on/);
  assert.equal((await orangeFiling()).status, 'submitted');
  const again = await api('seller2', 'POST', `/api/v1/inspection/filings/${filing.id}/amend`, {
    producer: '赣州市安远县脐橙种植基地',
    certificates: [{ type: '果园注册', number: 'NEW-2', validUntil: day(30) }],
  });
  assert.equal(again.status, 409, 'a filing under review is not amended: it is corrected by a rejection and resubmission');
  assert.equal(
    (await api('inspection', 'POST', `/api/v1/inspection/filings/${filing.id}/decision`, { approve: false, reason: '证书过期' }))
      .status,
    200,
  );
  const resubmitted = await api('seller2', 'POST', '/api/v1/inspection/filings', {
    ...ORANGE_FILING,
    certificates: [{ type: '果园注册', number: 'NEW-2', validUntil: day(30) }],
  });
  assert.equal(resubmitted.body.status, 'submitted');
  assert.equal(
    (await api('inspection', 'POST', `/api/v1/inspection/filings/${filing.id}/decision`, { approve: true })).status,
    200,
  );
  await tp.platform.settle();
  for (const p of [held, enterpriseExpired]) assert.deepEqual(await statusNow(p.p), ['399'], 'decided again once in force');
});
