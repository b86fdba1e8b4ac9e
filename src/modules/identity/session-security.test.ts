import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { fixedClock } from '../../kernel/clock.ts';

/** Issue 9 point 6: session expiry and revocation, password policy, audit of access changes. */

let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
const STRONG = 'Tr0mbone-Lantern-7';

before(async () => {
  tp = await startTestPlatform({
    clock,
    listen: false,
    env: { SESSION_TTL_HOURS: '12', SESSION_IDLE_MINUTES: '60', LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '15' },
  });
});
after(async () => {
  await tp.stop();
});

const inject = (opts: InjectOptions) => tp.platform.app.inject(opts);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let ipCounter = 0;
const nextIp = (): string => `198.51.100.${(ipCounter++ % 250) + 1}`;
const db = () => tp.platform.database.db;

async function signIn(username: string, password = 'cbec-demo', ip = nextIp()) {
  return inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { username, password } });
}
async function token(username: string, password = 'cbec-demo'): Promise<string> {
  const r = await signIn(username, password);
  assert.equal(r.statusCode, 200, r.body);
  return (r.json() as { token: string }).token;
}
const me = async (t: string): Promise<number> =>
  (await inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(t) })).statusCode;

interface AuditRow {
  action: string;
  entity_id: string | null;
  actor_user_id: string | null;
  after: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
}
async function audited(action: string, entityId?: string): Promise<AuditRow[]> {
  await tp.platform.audit.flush(db());
  const r = await sql<AuditRow>`
    select action, entity_id::text as entity_id, actor_user_id::text as actor_user_id, after, before from audit_log
    where action = ${action} and (${entityId ?? null}::text is null or entity_id::text = ${entityId ?? null})
    order by seq`.execute(db());
  return r.rows;
}
async function userId(username: string): Promise<string> {
  const r = await sql<{ id: string }>`select id::text as id from app_user where username = ${username}`.execute(db());
  return r.rows[0]!.id;
}
async function sessionCount(username: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from user_session s join app_user u on u.id = s.user_id where u.username = ${username}`.execute(
    db(),
  );
  return r.rows[0]!.n;
}

test('a session ends after SESSION_TTL_HOURS even when in use, and is deleted', async () => {
  const t = await token('platform');
  const uid = await userId('platform');
  let minutes = 0;
  // Active every 50 minutes (inside the idle limit) until past the 12-hour absolute limit.
  while (minutes + 50 < 12 * 60) {
    clock.advance(50 * 60_000);
    minutes += 50;
    assert.equal(await me(t), 200, `still valid after ${minutes} minutes`);
  }
  const seen = await sql<{ last: Date }>`select last_seen_at as last from user_session where user_id = ${uid}`.execute(db());
  assert.equal(seen.rows[0]!.last.getTime(), clock.now().getTime(), 'last_seen_at follows use');
  clock.advance(60 * 60_000);
  assert.equal(await me(t), 401);
  assert.equal(await sessionCount('platform'), 0, 'the expired session is gone from the table');
});

test('a session unused for longer than SESSION_IDLE_MINUTES ends; one used in time does not', async () => {
  const idle = await token('seller2');
  const busy = await token('seller2');
  clock.advance(40 * 60_000);
  assert.equal(await me(busy), 200);
  clock.advance(25 * 60_000);
  assert.equal(await me(idle), 401, 'idle 65 minutes');
  assert.equal(await me(busy), 200, 'used 25 minutes ago');
  assert.equal(await sessionCount('seller2'), 1);
});

test('a user lists their sessions and ends one, then all others; a foreign session id answers 404', async () => {
  const a = await token('warehouse');
  const b = await token('warehouse');
  const c = await token('warehouse');
  const list = await inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(a) });
  assert.equal(list.statusCode, 200);
  const body = list.json() as { items: { id: string; current: boolean; ip: string }[]; idleMinutes: number; ttlHours: number };
  assert.equal(body.items.length, 3);
  assert.equal(body.items.filter((s) => s.current).length, 1);
  assert.deepEqual([body.idleMinutes, body.ttlHours], [60, 12]);
  assert.ok(
    body.items.every((s) => /^198\.51\.100\./.test(s.ip)),
    'the client address is kept',
  );
  const currentId = body.items.find((s) => s.current)!.id;

  // Which listed session is b? Ask b.
  const bList = (await inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(b) })).json() as {
    items: { id: string; current: boolean }[];
  };
  const bId = bList.items.find((s) => s.current)!.id;

  const foreign = await inject({
    method: 'DELETE',
    url: `/api/v1/auth/sessions/${bId}`,
    headers: bearer(await token('overseas')),
  });
  assert.equal(foreign.statusCode, 404, 'another user cannot end it');
  assert.equal(await me(b), 200);

  assert.equal((await inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${bId}`, headers: bearer(a) })).statusCode, 204);
  assert.equal(await me(b), 401, 'refused at once, although it was cached a moment ago');
  assert.equal(await sessionCount('warehouse'), 2);
  const one = await audited('session.revoke', await userId('warehouse'));
  assert.equal(one.length, 1);
  assert.deepEqual(one[0]!.after, { reason: 'user', sessionIds: [bId] });

  const others = await inject({ method: 'DELETE', url: '/api/v1/auth/sessions', headers: bearer(a) });
  assert.deepEqual(others.json(), { revoked: 1 });
  assert.equal(await me(c), 401);
  assert.equal(await me(a), 200, 'the calling session stays');
  const left = await sql<{ id: string }>`
    select s.id::text as id from user_session s join app_user u on u.id = s.user_id where u.username = 'warehouse'`.execute(db());
  assert.deepEqual(
    left.rows.map((r) => r.id),
    [currentId],
  );
  assert.equal((await audited('session.revoke', await userId('warehouse')))[1]!.after!.reason, 'user_others');
});

test('password policy on create: specific bilingual errors naming the rule, nothing stored', async () => {
  const carrier = await token('carrier');
  const count = async () => (await sql<{ n: number }>`select count(*)::int as n from app_user`.execute(db())).rows[0]!.n;
  const before = await count();
  const cases: [string, string[]][] = [
    ['short1A!', ['password:minLength']],
    ['abcdefghijklmnop', ['password:characterClasses']],
    ['Carrier.clerk-2026', ['password:notUsername']],
    ['Password1234', ['password:commonPassword']],
  ];
  for (const [password, rules] of cases) {
    const r = await inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(carrier),
      payload: { username: 'carrier.clerk', displayName: '承运 文员', password, roles: ['enterprise_clerk'] },
    });
    assert.equal(r.statusCode, 400, password);
    const p = r.json() as { errors: { field: string; rule: string; message: { zh: string; en: string } }[]; detailZh: string };
    assert.deepEqual(
      p.errors.map((e) => `${e.field}:${e.rule}`),
      rules,
      password,
    );
    assert.match(p.detailZh, /密码/);
  }
  assert.equal(await count(), before, 'nothing stored');
  const ok = await inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(carrier),
    payload: { username: 'carrier.clerk', displayName: '承运 文员', password: STRONG, roles: ['enterprise_clerk'] },
  });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(await count(), before + 1);
  await token('carrier.clerk', STRONG);
});

test('an enterprise administrator ends their own user’s sessions; another enterprise gets 404; admin may', async () => {
  const carrier = await token('carrier');
  const clerkId = await userId('carrier.clerk');
  const clerk = await token('carrier.clerk', STRONG);
  const seller = await token('seller');
  assert.equal(
    (await inject({ method: 'GET', url: `/api/v1/users/${clerkId}/sessions`, headers: bearer(seller) })).statusCode,
    404,
  );
  assert.equal(
    (await inject({ method: 'DELETE', url: `/api/v1/users/${clerkId}/sessions`, headers: bearer(seller) })).statusCode,
    404,
  );
  assert.equal(await me(clerk), 200, 'untouched by the foreign attempt');
  const listed = (await inject({ method: 'GET', url: `/api/v1/users/${clerkId}/sessions`, headers: bearer(carrier) })).json() as {
    items: unknown[];
  };
  assert.ok(listed.items.length >= 1);
  const r = await inject({ method: 'DELETE', url: `/api/v1/users/${clerkId}/sessions`, headers: bearer(carrier) });
  assert.equal(r.statusCode, 200);
  assert.equal((r.json() as { revoked: number }).revoked, listed.items.length);
  assert.equal(await me(clerk), 401);
  assert.equal(await sessionCount('carrier.clerk'), 0);
  const rows = await audited('session.revoke', clerkId);
  assert.equal(rows.at(-1)!.after!.reason, 'admin');
  assert.equal(rows.at(-1)!.actor_user_id, await userId('carrier'));

  const again = await token('carrier.clerk', STRONG);
  const admin = await token('admin');
  assert.equal(
    (await inject({ method: 'DELETE', url: `/api/v1/users/${clerkId}/sessions`, headers: bearer(admin) })).statusCode,
    200,
  );
  assert.equal(await me(again), 401);
});

test('a role change, disabling and a password reset each end the user’s sessions at once, audited', async () => {
  const carrier = await token('carrier');
  const clerkId = await userId('carrier.clerk');
  let clerk = await token('carrier.clerk', STRONG);
  assert.equal(await me(clerk), 200);

  // Roles
  const roles = await inject({
    method: 'PATCH',
    url: `/api/v1/users/${clerkId}`,
    headers: bearer(carrier),
    payload: { roles: ['enterprise_admin'] },
  });
  assert.equal(roles.statusCode, 200, roles.body);
  assert.equal(await me(clerk), 401, 'no session keeps the old rights');
  const stored = await sql<{
    roles: string[];
    disabled: boolean;
  }>`select roles, disabled from app_user where id = ${clerkId}`.execute(db());
  assert.deepEqual(stored.rows[0]!.roles, ['enterprise_admin']);
  const roleAudit = await audited('user.roles', clerkId);
  assert.deepEqual(
    [roleAudit[0]!.before, roleAudit[0]!.after],
    [{ roles: ['enterprise_clerk'] }, { roles: ['enterprise_admin'] }],
  );
  const escalate = await inject({
    method: 'PATCH',
    url: `/api/v1/users/${clerkId}`,
    headers: bearer(carrier),
    payload: { roles: ['admin'] },
  });
  assert.equal(escalate.statusCode, 403, 'an enterprise cannot grant the operator role');
  const self = await inject({
    method: 'PATCH',
    url: `/api/v1/users/${await userId('carrier')}`,
    headers: bearer(carrier),
    payload: { disabled: true },
  });
  assert.equal(self.statusCode, 403, 'no one disables themselves');

  // Disable
  clerk = await token('carrier.clerk', STRONG);
  const off = await inject({
    method: 'PATCH',
    url: `/api/v1/users/${clerkId}`,
    headers: bearer(carrier),
    payload: { disabled: true },
  });
  assert.equal(off.statusCode, 200);
  assert.equal((off.json() as { disabled: boolean }).disabled, true);
  assert.equal(await me(clerk), 401);
  assert.equal((await signIn('carrier.clerk', STRONG)).statusCode, 401, 'a disabled user cannot log in');
  assert.equal((await audited('user.disable', clerkId)).length, 1);
  const failed = await audited('auth.login_failed', clerkId);
  assert.equal(failed.at(-1)!.after!.reason, 'disabled');
  const on = await inject({
    method: 'PATCH',
    url: `/api/v1/users/${clerkId}`,
    headers: bearer(carrier),
    payload: { disabled: false },
  });
  assert.equal(on.statusCode, 200);
  assert.equal((await audited('user.enable', clerkId)).length, 1);

  // Password reset by the administrator: the policy applies, the sessions end, the old password stops working.
  clerk = await token('carrier.clerk', STRONG);
  const weak = await inject({
    method: 'PUT',
    url: `/api/v1/users/${clerkId}/password`,
    headers: bearer(carrier),
    payload: { password: 'tooshort' },
  });
  assert.equal(weak.statusCode, 400);
  assert.equal(await me(clerk), 200, 'a refused reset changes nothing');
  const reset = await inject({
    method: 'PUT',
    url: `/api/v1/users/${clerkId}/password`,
    headers: bearer(carrier),
    payload: { password: 'Reset-Harbour-42' },
  });
  assert.equal(reset.statusCode, 200, reset.body);
  assert.ok((reset.json() as { passwordChangedAt: string }).passwordChangedAt);
  assert.equal(await me(clerk), 401);
  assert.equal((await signIn('carrier.clerk', STRONG)).statusCode, 401);
  assert.equal((await signIn('carrier.clerk', 'Reset-Harbour-42')).statusCode, 200);
  assert.equal((await audited('user.password_reset', clerkId)).length, 1);
  const reasons = (await audited('session.revoke', clerkId)).map((r) => r.after!.reason);
  for (const reason of ['roles_changed', 'disabled', 'password_reset']) assert.ok(reasons.includes(reason), reason);

  // Another enterprise cannot touch the user.
  const seller = await token('seller');
  assert.equal(
    (await inject({ method: 'PATCH', url: `/api/v1/users/${clerkId}`, headers: bearer(seller), payload: { disabled: true } }))
      .statusCode,
    404,
  );
  assert.equal(
    (
      await inject({
        method: 'PUT',
        url: `/api/v1/users/${clerkId}/password`,
        headers: bearer(seller),
        payload: { password: STRONG },
      })
    ).statusCode,
    404,
  );
});

test('changing my password needs the current one, follows the policy, keeps this session and ends the others', async () => {
  const here = await token('broker');
  const there = await token('broker');
  const uid = await userId('broker');
  const hashOf = async () =>
    (
      await sql<{
        h: string;
        at: Date | null;
      }>`select password_hash as h, password_changed_at as at from app_user where id = ${uid}`.execute(db())
    ).rows[0]!;
  const before = await hashOf();
  const change = (body: object) =>
    inject({ method: 'PUT', url: '/api/v1/auth/me/password', headers: bearer(here), payload: body });

  const wrong = await change({ currentPassword: 'not-it', newPassword: STRONG });
  assert.equal(wrong.statusCode, 400);
  assert.deepEqual(
    (wrong.json() as { errors: { field: string; rule: string }[] }).errors.map((e) => `${e.field}:${e.rule}`),
    ['currentPassword:matchesCurrent'],
  );
  assert.equal((await audited('user.password_change_failed', uid)).length, 1);
  const weak = await change({ currentPassword: 'cbec-demo', newPassword: 'broker-broker-1' });
  assert.deepEqual(
    (weak.json() as { errors: { field: string; rule: string }[] }).errors.map((e) => `${e.field}:${e.rule}`),
    ['newPassword:notUsername'],
  );
  assert.equal((await hashOf()).h, before.h, 'refused changes store nothing');
  assert.equal(await me(there), 200);

  const ok = await change({ currentPassword: 'cbec-demo', newPassword: STRONG });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json(), { revokedSessions: 1 });
  const afterChange = await hashOf();
  assert.notEqual(afterChange.h, before.h);
  assert.equal(afterChange.at?.getTime(), clock.now().getTime());
  assert.equal(await me(here), 200, 'this session stays');
  assert.equal(await me(there), 401, 'the other session ended');
  assert.equal((await signIn('broker', 'cbec-demo')).statusCode, 401);
  assert.equal((await signIn('broker', STRONG)).statusCode, 200);
  assert.equal((await audited('user.password_change', uid)).length, 1);

  // An API key has no password to change.
  const key = (
    await inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(here), payload: { name: 'erp' } })
  ).json() as { key: string };
  const viaKey = await inject({
    method: 'PUT',
    url: '/api/v1/auth/me/password',
    headers: bearer(key.key),
    payload: { currentPassword: STRONG, newPassword: 'Another-Good-One-9' },
  });
  assert.equal(viaKey.statusCode, 400);
});

test('log-ins (with reason and client address), lock-out, log-out and API keys are in the audit log', async () => {
  const ip = '203.0.113.77';
  assert.equal((await signIn('nobody-here', 'x', ip)).statusCode, 401);
  const unknown = (await audited('auth.login_failed')).filter((r) => r.after!.username === 'nobody-here');
  assert.equal(unknown.length, 1);
  assert.equal(unknown[0]!.after!.reason, 'unknown_user');
  assert.equal(unknown[0]!.after!.ip, ip);

  const payer = await userId('payer');
  for (let i = 0; i < 3; i++) await signIn('payer', `wrong-${i}`, ip);
  assert.equal((await signIn('payer', 'cbec-demo', ip)).statusCode, 423);
  const reasons = (await audited('auth.login_failed', payer)).map((r) => r.after!.reason);
  assert.deepEqual(reasons, ['wrong_password', 'wrong_password', 'wrong_password', 'locked']);
  const locked = await audited('user.locked', payer);
  assert.equal(locked.length, 1);
  assert.equal(locked[0]!.after!.ip, ip);
  clock.advance(16 * 60_000);

  const ok = await signIn('payer', 'cbec-demo', ip);
  assert.equal(ok.statusCode, 200);
  const t = (ok.json() as { token: string }).token;
  const logins = await audited('auth.login', payer);
  assert.equal(logins.length, 1);
  assert.equal(logins[0]!.actor_user_id, payer);
  assert.equal(logins[0]!.after!.ip, ip);
  const sessionId = logins[0]!.after!.sessionId;
  assert.ok(sessionId);

  const key = (
    await inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(t), payload: { name: 'audit me' } })
  ).json() as {
    id: string;
  };
  assert.equal((await inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: bearer(t) })).statusCode, 204);
  assert.equal((await audited('apikey.create', key.id)).length, 1);
  assert.equal((await audited('apikey.revoke', key.id)).length, 1);

  assert.equal((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(t) })).statusCode, 204);
  const out = await audited('auth.logout', payer);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.after!.sessionId, sessionId);

  assert.equal((await tp.platform.audit.verify(db())).ok, true, 'the chain still verifies');
});

test('the demo password keeps working for the seeded users (the policy applies to new passwords only)', async () => {
  assert.match(await login(tp.platform, 'customs'), /^s_/);
});
