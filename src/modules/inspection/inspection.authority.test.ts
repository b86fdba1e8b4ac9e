import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { login } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, siteMessages } from '../../../test/support/parcels.ts';
import { receiptStatuses, submitOk } from '../../../test/support/clearance.ts';
import { asOrange, inspectionSuite, INSPECTION_USERS, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import { ensureDemo, seedDemo } from '../../server/platform.ts';
import { DEMO_INSPECTION_AGENCY } from '../identity/index.ts';

// INSPECTION_AUTHORITY=agency (ADR 0025): inspection & quarantine is a separate agency, not a duty
// of customs. Its officer sees and does the inspection work of its district; the customs officer
// keeps to customs; "one inspection, one release" still needs both agencies' clearance.

const { tp, t, api, statusNow, declareOne, photoFor, jointTask } = inspectionSuite({
  guids: 79,
  users: [...INSPECTION_USERS, 'admin'],
  env: { INSPECTION_AUTHORITY: 'agency' },
});

const db = () => tp.platform.database.db;

async function orgOf(name: string) {
  const r = await sql<{ id: string; roles: string[]; jurisdiction: string; kind: string }>`
    select id, roles, jurisdiction, kind from organisation where name = ${name}`.execute(db());
  return r.rows;
}
async function userOrg(username: string): Promise<string | null> {
  const r = await sql<{ name: string | null }>`
    select o.name from app_user u left join organisation o on o.id = u.organisation_id where u.username = ${username}`.execute(
    db(),
  );
  return r.rows[0]?.name ?? null;
}
async function userId(username: string): Promise<string> {
  return (await sql<{ id: string }>`select id from app_user where username = ${username}`.execute(db())).rows[0]!.id;
}
/** Audit rows are chained after the commit (ADR 0011): flushed before they are read. */
async function auditRows<R extends object>(q: ReturnType<typeof sql<R>>): Promise<R[]> {
  await tp.platform.audit.flush(db());
  return (await q.execute(db())).rows;
}
async function auditCount(action: string): Promise<number> {
  await tp.platform.audit.flush(db());
  return (await sql<{ n: number }>`select count(*)::int as n from audit_log where action = ${action}`.execute(db())).rows[0]!.n;
}

test('the demo parties in the separate set-up: customs holds customs only, the inspection agency inspection only', async () => {
  assert.deepEqual(
    (await orgOf('南昌海关')).map((o) => o.roles),
    [['customs']],
  );
  assert.deepEqual(
    (await orgOf(DEMO_INSPECTION_AGENCY.name)).map(({ kind, roles, jurisdiction }) => ({ kind, roles, jurisdiction })),
    [{ kind: 'agency', roles: ['inspection'], jurisdiction: '4000' }],
  );
  assert.equal(await userOrg('inspection'), '江西出入境检验检疫局');
  assert.equal(await userOrg('customs'), '南昌海关');
  // What the web shell builds the inspection officer's menus and workbench from.
  const me = (await api('inspection', 'GET', '/api/v1/auth/me')).body as {
    user: { roles: string[]; organisation: { name: string; roles: string[]; kind: string } };
    permissions: string[];
  };
  assert.deepEqual(me.user.roles, ['inspection_officer']);
  assert.deepEqual(
    [me.user.organisation.name, me.user.organisation.kind, me.user.organisation.roles],
    ['江西出入境检验检疫局', 'agency', ['inspection']],
  );
  for (const perm of ['inspection.read', 'inspection.work', 'risk.read', 'clearance.read'])
    assert.ok(me.permissions.includes(perm), perm);
});

test('joint inspection across two agencies: one task, both clearances recorded once each, released once, departs', async () => {
  // Customs samples every C-graded seller; the inspection agency selects porcelain (HS 6911).
  // n = 4: one line, a bowl (6911). The inspection agency's officer sees the task in its district's
  // list and opens it by waybill.
  const { p, id, invtNo, taskId } = await jointTask(4, 'AG', 'inspection');
  // The separate agency's officer reads why the parcel was selected: the decision behind its task.
  const why = await api('inspection', 'GET', `/api/v1/risk/decisions/${id}`);
  assert.equal(why.status, 200, JSON.stringify(why.body));
  assert.ok(
    (why.body.hits as { rule: string; agency: string }[]).some((h) => h.rule === 'R-CIQ-PORCELAIN' && h.agency === 'inspection'),
    JSON.stringify(why.body.hits),
  );

  // Neither agency's officer records for the other.
  const finding = { result: 'pass', codes: ['C01'], photos: [] };
  assert.equal(
    (await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, { ...finding, agency: 'inspection' })).status,
    403,
    'the customs officer does not record inspection findings',
  );
  assert.equal(
    (await api('inspection', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, { ...finding, agency: 'customs' })).status,
    403,
    'the inspection agency does not record customs findings',
  );
  // An inspection role given to someone inside customs acts for nobody: customs no longer holds the duty.
  const customsOrg = (await orgOf('南昌海关'))[0]!.id;
  const made = await api('admin', 'POST', '/api/v1/users', {
    username: 'ciq-in-customs',
    displayName: '海关内 检验检疫',
    password: 'a-long-demo-passphrase-2026',
    roles: ['inspection_officer'],
    organisationId: customsOrg,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  t['ciq-in-customs'] = await login(tp.platform, 'ciq-in-customs', 'a-long-demo-passphrase-2026');
  assert.equal((await api('ciq-in-customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, finding)).status, 403);
  const findingsNow = async () =>
    (
      await sql<{ agency: string; user_id: string }>`
        select agency, user_id from insp_finding where task_id = ${taskId} order by agency`.execute(db())
    ).rows;
  assert.deepEqual(await findingsNow(), [], 'nothing recorded by the refusals');

  // Customs clears its part (its only agency, so it need not say which); not released yet.
  const c = await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['C01'],
    notes: '开箱查验，货证相符',
    photos: [],
  });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.deepEqual([c.body.status, c.body.pending], ['open', ['inspection']]);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['300'], 'customs alone does not release');
  assert.equal(
    (await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, finding)).status,
    409,
    'an agency records once',
  );

  // The inspection agency's officer photographs the goods and clears its part: released once.
  const photoId = await photoFor('inspection', taskId, 'bowl');
  const q = await api('inspection', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['Q00'],
    notes: '未见有害生物',
    photos: [photoId],
  });
  assert.equal(q.status, 200, JSON.stringify(q.body));
  assert.equal(q.body.status, 'passed');
  assert.equal(
    (await api('inspection', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, finding)).status,
    409,
    'the inspection agency records once too',
  );
  await tp.platform.settle();

  assert.deepEqual(await findingsNow(), [
    { agency: 'customs', user_id: await userId('customs') },
    { agency: 'inspection', user_id: await userId('inspection') },
  ]);
  const task = (
    await sql<{
      status: string;
      released_at: Date | null;
    }>`select status, released_at from insp_task where id = ${taskId}`.execute(db())
  ).rows[0]!;
  assert.equal(task.status, 'passed');
  assert.ok(task.released_at, 'released once every agency has cleared it');
  assert.deepEqual(await statusNow(p), ['399']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500', '399']);
  const released = await auditRows(sql<{ action: string; actor_org_id: string }>`
    select action, actor_org_id from audit_log where entity_id = ${id} and action like 'inventory.%'`);
  assert.deepEqual(
    released,
    [{ action: 'inventory.inspection.approve', actor_org_id: (await orgOf(DEMO_INSPECTION_AGENCY.name))[0]!.id }],
    'one release, decided by the clearance that completed the task',
  );
  const lane = await sql<{ lane: string }>`select lane from clr_inventory where document_id = ${id}`.execute(db());
  assert.equal(lane.rows[0]!.lane, 'inspected');

  // Consolidated and departed like any released parcel.
  const site = siteMessages(9, [p], 'AG');
  // The total-sub bill names the parcel by its inventory number.
  for (const line of site.consolidation.entities[0]!.lists.WayBillList ?? []) line.invtNo = invtNo;
  assert.equal((await submitOk(tp, t.broker!, site.consolidation)).accepted, 1);
  assert.equal((await submitOk(tp, t.carrier!, site.departure)).accepted, 1);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['899']);

  // A failure by the inspection agency alone rejects a parcel (100).
  const bad = makeParcel(6, 'AG');
  await declareOne(bad);
  const badTask = (await api('inspection', 'GET', `/api/v1/inspection/tasks/by-waybill/${bad.logisticsNo}`)).body;
  const failed = await api('inspection', 'POST', `/api/v1/inspection/tasks/${badTask.id as string}/findings`, {
    result: 'fail',
    codes: ['Q20'],
    notes: '发现活体害虫',
    photos: [],
  });
  assert.equal(failed.body.status, 'failed');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(bad), ['100']);
  await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'AA' });
});

test('the inspection agency approves inspection filings and supervises centralised declarations; customs does neither', async () => {
  const filing = {
    kind: 'product',
    itemNo: 'GZ-POMELO-10KG',
    goodsName: '井冈蜜柚 10 kg',
    quarantineCategory: 'fresh_fruit',
    producer: '吉安市井冈蜜柚基地',
    certificates: [{ type: '果园注册', number: '3600JA0012', validUntil: '2028-12-31' }],
  };
  const submitted = await api('seller2', 'POST', '/api/v1/inspection/filings', filing);
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  const fid = submitted.body.id as string;
  const statusOf = async () =>
    (await sql<{ status: string }>`select status from insp_filing where id = ${fid}`.execute(db())).rows[0]!.status;
  assert.equal((await api('customs', 'POST', `/api/v1/inspection/filings/${fid}/decision`, { approve: true })).status, 403);
  assert.equal(
    (await api('ciq-in-customs', 'POST', `/api/v1/inspection/filings/${fid}/decision`, { approve: true })).status,
    403,
  );
  assert.equal(await statusOf(), 'submitted', 'the refusals changed nothing');
  const desk = (await api('inspection', 'GET', '/api/v1/inspection/filings')).body.items!;
  assert.ok(
    desk.some((f) => f.id === fid),
    'the inspection agency desk sees the filing',
  );
  const approved = await api('inspection', 'POST', `/api/v1/inspection/filings/${fid}/decision`, { approve: true });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(await statusOf(), 'approved');
  const by = await auditRows(sql<{ actor_org_id: string }>`
    select actor_org_id from audit_log where entity_id = ${fid} and action = 'inspection.filing.approve'`);
  assert.deepEqual(
    by.map((r) => r.actor_org_id),
    [(await orgOf(DEMO_INSPECTION_AGENCY.name))[0]!.id],
  );

  // An orange parcel (a quarantine category) is declared to inspection centrally.
  const o = makeParcel(7, 'AG');
  asOrange(o);
  await declareOne(o);
  assert.deepEqual(await statusNow(o), ['399']);
  const list = (await api('inspection', 'GET', '/api/v1/inspection/declarations')).body.items!;
  const mine = list.filter((d) => d.enterpriseCode === ORANGE_SELLER.code);
  assert.equal(mine.length, 1, JSON.stringify(list));
  const did = mine[0]!.id as string;
  assert.equal((await api('customs', 'POST', `/api/v1/inspection/declarations/${did}/supervise`)).status, 403);
  const supervisedBy = async () =>
    (
      await sql<{ status: string; supervised_by: string | null }>`
        select status, supervised_by from insp_declaration where id = ${did}`.execute(db())
    ).rows[0]!;
  assert.deepEqual(await supervisedBy(), { status: 'declared', supervised_by: null });
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/declarations/${did}/supervise`)).status, 200);
  assert.deepEqual(await supervisedBy(), { status: 'supervised', supervised_by: await userId('inspection') });
});

test('the demo seed is idempotent in a set-up; switching the setting on the existing database moves the inspection desk', async () => {
  const orgCount = async () => (await sql<{ n: number }>`select count(*)::int as n from organisation`.execute(db())).rows[0]!.n;
  const before = await orgCount();
  const switches = await auditCount('demo.inspection_authority');
  await seedDemo({ ...tp.platform, config: { inspectionAuthority: 'agency' } });
  assert.equal(await orgCount(), before, 'seeded again: no new organisation');
  assert.equal(await auditCount('demo.inspection_authority'), switches, 'nothing to switch');
  assert.equal(await userOrg('inspection'), '江西出入境检验检疫局');

  // Back to the merged set-up at a start (ensureDemo on an existing demo database).
  const merged = { ...tp.platform, config: { ...tp.platform.config, inspectionAuthority: 'customs' as const } };
  assert.equal(await ensureDemo(merged), false, 'nothing else is seeded again');
  assert.deepEqual(
    (await orgOf('南昌海关')).map((o) => o.roles),
    [['customs', 'inspection']],
  );
  assert.deepEqual(
    (await orgOf(DEMO_INSPECTION_AGENCY.name)).map((o) => o.roles),
    [[]],
    'the agency is kept, without the duty',
  );
  assert.equal(await userOrg('inspection'), '南昌海关');
  assert.equal(await auditCount('demo.inspection_authority'), switches + 1);
  const ended = await sql<{ n: number }>`
    select count(*)::int as n from user_session where user_id = ${await userId('inspection')}`.execute(db());
  assert.equal(ended.rows[0]!.n, 0, 'the moved officer logs in again');
  assert.equal(await ensureDemo(merged), false);
  assert.equal(await auditCount('demo.inspection_authority'), switches + 1, 'a second start changes nothing');

  // Merged: the inspection officer of customs approves inspection filings again.
  t.inspection = await login(tp.platform, 'inspection');
  const f = await api('seller2', 'POST', '/api/v1/inspection/filings', {
    kind: 'product',
    itemNo: 'GZ-KUMQUAT-2KG',
    goodsName: '遂川金橘 2 kg',
    quarantineCategory: 'fresh_fruit',
    producer: '遂川县金橘基地',
    certificates: [{ type: '果园注册', number: '3600SC0001', validUntil: '2028-12-31' }],
  });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  assert.equal(
    (await api('inspection', 'POST', `/api/v1/inspection/filings/${f.body.id as string}/decision`, { approve: true })).body
      .status,
    'approved',
  );

  // And over to the separate set-up again with `cbec seed` (seedDemo with the config).
  await seedDemo({ ...tp.platform, config: { inspectionAuthority: 'agency' } });
  assert.deepEqual(
    [(await orgOf('南昌海关'))[0]!.roles, (await orgOf(DEMO_INSPECTION_AGENCY.name))[0]!.roles, await orgCount()],
    [['customs'], ['inspection'], before],
  );
  assert.equal(await userOrg('inspection'), '江西出入境检验检疫局');
  assert.equal(await auditCount('demo.inspection_authority'), switches + 2);
});
