import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { fixedClock } from '../../kernel/clock.ts';

let tp: TestPlatform;
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));

before(async () => {
  tp = await startTestPlatform({ clock, listen: false, env: { LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15' } });
});
after(async () => {
  await tp.stop();
});

const inject = (opts: InjectOptions) => tp.platform.app.inject(opts);
let ipCounter = 0;
// Each log-in from its own address, so the per-address rate limit only bites where tested.
const nextIp = (): string => `198.51.100.${(ipCounter++ % 250) + 1}`;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

test('log-in sets an httpOnly session cookie and answers token and user', async () => {
  const res = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: 'seller', password: 'cbec-demo' },
  });
  assert.equal(res.statusCode, 200);
  const body = res.json() as { token: string; user: { username: string; organisation: { code: string; roles: string[] } } };
  assert.match(body.token, /^s_/);
  assert.equal(body.user.username, 'seller');
  assert.equal(body.user.organisation.code, '3601260888');
  assert.deepEqual(body.user.organisation.roles, ['ebc']);
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /cbec_session=s_/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  // The cookie alone authenticates the web UI; the token alone authenticates a script.
  const viaCookie = await inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { cbec_session: body.token } });
  assert.equal(viaCookie.statusCode, 200);
  const viaBearer = await inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(body.token) });
  assert.equal((viaBearer.json() as { user: { username: string } }).user.username, 'seller');
  // Log-out ends the session.
  assert.equal((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(body.token) })).statusCode, 204);
  assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(body.token) })).statusCode, 401);
});

test('every demo user logs in with the demo password', async () => {
  for (const u of [
    'platform',
    'seller',
    'seller2',
    'carrier',
    'payer',
    'broker',
    'warehouse',
    'overseas',
    'customs',
    'inspection',
    'tax',
    'forex',
    'pboc',
    'commerce',
    'admin',
  ]) {
    assert.match(await login(tp.platform, u), /^s_/, u);
  }
});

test('wrong password answers 401 problem+json, bilingual, the same as an unknown user', async () => {
  const wrong = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: 'carrier', password: 'nope' },
  });
  const unknown = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: 'nobody', password: 'nope' },
  });
  for (const res of [wrong, unknown]) {
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    const p = res.json() as { code: string; detailZh: string; detailEn: string };
    assert.equal(p.code, 'invalid_credentials');
    assert.equal(p.detailZh, '用户名或密码错误');
    assert.equal(p.detailEn, 'Wrong username or password');
  }
});

test('log-in input is validated with the field and the rule named', async () => {
  const res = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: '', extra: 1 },
  });
  assert.equal(res.statusCode, 400);
  const p = res.json() as { errors: { field: string; rule: string }[] };
  const pairs = p.errors.map((e) => `${e.field}:${e.rule}`);
  assert.ok(pairs.includes('body.password:required'), pairs.join());
  assert.ok(pairs.includes('body.username:minLength'), pairs.join());
  assert.ok(pairs.includes('body.extra:additionalProperties'), pairs.join());
});

test('five failures lock the account, even against the right password, until the lock expires', async () => {
  for (let i = 0; i < 4; i++) {
    const r = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'payer', password: `bad${i}` } });
    assert.equal(r.statusCode, 401);
  }
  const fifth = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: 'payer', password: 'bad5' },
  });
  assert.equal(fifth.statusCode, 423);
  assert.equal((fifth.json() as { code: string }).code, 'identity.locked');
  const right = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: 'payer', password: 'cbec-demo' },
  });
  assert.equal(right.statusCode, 423, 'locked accounts refuse the right password too');
  await tp.platform.audit.flush(tp.platform.database.db);
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'user.locked'`.execute(
    tp.platform.database.db,
  );
  assert.equal(audit.rows[0]!.n, 1, 'the lock-out is audited');
  clock.advance(16 * 60_000);
  const later = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    payload: { username: 'payer', password: 'cbec-demo' },
  });
  assert.equal(later.statusCode, 200, 'the lock expires');
});

test('after a lock expires the count starts again: one wrong password answers 401, not 423', async () => {
  const tryLogin = (password: string) =>
    inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: nextIp(), payload: { username: 'pboc', password } });
  const state = async () =>
    (
      await sql<{ failed: number; lockedUntil: Date | null }>`
        select failed_logins as failed, locked_until as "lockedUntil" from app_user where username = 'pboc'`.execute(
        tp.platform.database.db,
      )
    ).rows[0]!;
  assert.equal((await state()).failed, 0);
  for (let i = 0; i < 4; i++) assert.equal((await tryLogin(`bad${i}`)).statusCode, 401);
  assert.equal((await tryLogin('bad4')).statusCode, 423);
  const locked = await state();
  assert.equal(locked.failed, 5);
  assert.ok(locked.lockedUntil && locked.lockedUntil > clock.now(), 'locked');

  clock.advance(16 * 60_000);
  const again = await tryLogin('bad-after-lock');
  assert.equal(again.statusCode, 401, again.body);
  assert.deepEqual(await state(), { failed: 1, lockedUntil: null }, 'the count restarts at 1 and the expired lock is cleared');
  // and it takes the full count again to lock
  for (let i = 0; i < 3; i++) assert.equal((await tryLogin(`again${i}`)).statusCode, 401);
  assert.equal((await state()).failed, 4);
  assert.equal((await tryLogin('again-last')).statusCode, 423);
  assert.equal((await tryLogin('cbec-demo')).statusCode, 423, 'locked again, the right password too');
  clock.advance(16 * 60_000);
  assert.equal((await tryLogin('cbec-demo')).statusCode, 200);
  assert.deepEqual(await state(), { failed: 0, lockedUntil: null });
});

test('an administrator unlocks a locked user', async () => {
  for (let i = 0; i < 5; i++)
    await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: nextIp(),
      payload: { username: 'overseas', password: 'x' },
    });
  const admin = await login(tp.platform, 'admin');
  const users = (await inject({ method: 'GET', url: '/api/v1/users', headers: auth(admin) })).json() as {
    items: { id: string; username: string; lockedUntil: string | null }[];
  };
  const u = users.items.find((x) => x.username === 'overseas')!;
  assert.ok(u.lockedUntil);
  const r = await inject({ method: 'POST', url: `/api/v1/users/${u.id}/unlock`, headers: auth(admin) });
  assert.equal(r.statusCode, 200);
  assert.equal(
    (
      await inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: nextIp(),
        payload: { username: 'overseas', password: 'cbec-demo' },
      })
    ).statusCode,
    200,
  );
});

test('log-in is rate-limited per client address', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) {
    const r = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'x' },
      remoteAddress: '203.0.113.9',
    });
    statuses.push(r.statusCode);
  }
  assert.ok(statuses.includes(429), statuses.join());
  const limited = await inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'seller', password: 'cbec-demo' },
    remoteAddress: '203.0.113.9',
  });
  assert.equal(limited.statusCode, 429);
  assert.equal((limited.json() as { code: string }).code, 'rate_limited');
});

test('API keys: shown once, hashed at rest, work as bearer, revocable; foreign keys answer 404', async () => {
  const seller = await login(tp.platform, 'seller');
  const created = await inject({ method: 'POST', url: '/api/v1/api-keys', headers: auth(seller), payload: { name: 'ERP 对接' } });
  assert.equal(created.statusCode, 201);
  const key = created.json() as { id: string; key: string; prefix: string };
  assert.match(key.key, new RegExp(`^cbec_${key.prefix}_`));
  const list = (await inject({ method: 'GET', url: '/api/v1/api-keys', headers: auth(seller) })).json() as {
    items: Record<string, unknown>[];
  };
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0]!.key, undefined, 'the key is never shown again');
  const stored = await sql<{ h: Buffer }>`select secret_hash as h from api_key where id = ${key.id}`.execute(
    tp.platform.database.db,
  );
  assert.ok(!stored.rows[0]!.h.toString('utf8').includes(key.key), 'only a hash is stored');

  const me = (await inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(key.key) })).json() as {
    user: { organisation: { code: string } };
    permissions: string[];
  };
  assert.equal(me.user.organisation.code, '3601260888');
  assert.ok(
    !me.permissions.includes('apikeys.manage') && !me.permissions.includes('users.manage'),
    'a key acts as a clerk, not an administrator',
  );
  assert.ok(me.permissions.includes('ceb.submit'), 'a key submits messages');
  assert.equal(
    (await inject({ method: 'POST', url: '/api/v1/api-keys', headers: auth(key.key), payload: { name: 'x' } })).statusCode,
    403,
    'a key cannot mint keys',
  );

  // Another enterprise cannot see or revoke it: 404, as if it did not exist.
  const seller2 = await login(tp.platform, 'seller2');
  assert.equal((await inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: auth(seller2) })).statusCode, 404);
  assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(key.key) })).statusCode, 200, 'still valid');

  assert.equal((await inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: auth(seller) })).statusCode, 204);
  assert.equal(
    (await inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(key.key) })).statusCode,
    401,
    'revoked at once',
  );
});

test('an enterprise gets 404 for another organisation; agencies see their jurisdiction only', async () => {
  const admin = await login(tp.platform, 'admin');
  const all = (await inject({ method: 'GET', url: '/api/v1/organisations?limit=200', headers: auth(admin) })).json() as {
    items: { id: string; code: string | null; name: string }[];
  };
  assert.equal(all.items.length, 14);
  const byCode = (c: string) => all.items.find((o) => o.code === c)!;
  const seller2Org = byCode('3601260999');
  const sellerOrg = byCode('3601260888');

  const seller = await login(tp.platform, 'seller');
  assert.equal(
    (await inject({ method: 'GET', url: `/api/v1/organisations/${sellerOrg.id}`, headers: auth(seller) })).statusCode,
    200,
  );
  const foreign = await inject({ method: 'GET', url: `/api/v1/organisations/${seller2Org.id}`, headers: auth(seller) });
  assert.equal(foreign.statusCode, 404);
  const unknown = await inject({
    method: 'GET',
    url: '/api/v1/organisations/01a218e9-0000-7000-8000-000000000000',
    headers: auth(seller),
  });
  assert.equal(unknown.statusCode, 404);
  assert.equal(foreign.json().detail, unknown.json().detail, 'foreign and unknown ids are indistinguishable');
  assert.equal((await inject({ method: 'GET', url: '/api/v1/organisations', headers: auth(seller) })).statusCode, 403);

  // Customs over district 4000 sees the Jiangxi enterprises (offices 40xx), not the Shanghai payer (2200).
  const customs = await login(tp.platform, 'customs');
  const seen = (
    await inject({ method: 'GET', url: '/api/v1/organisations?kind=enterprise&limit=200', headers: auth(customs) })
  ).json() as { items: { code: string }[] };
  const codes = seen.items.map((o) => o.code).sort();
  assert.ok(codes.includes('3601260888') && codes.includes('3601980012'));
  assert.ok(!codes.includes('3101960003'), 'the payer is outside district 4000');
  assert.equal(
    (await inject({ method: 'GET', url: `/api/v1/organisations/${byCode('3101960003').id}`, headers: auth(customs) })).statusCode,
    404,
  );
});

test('keyset pagination walks every organisation once', async () => {
  const admin = await login(tp.platform, 'admin');
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/v1/organisations?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await inject({ method: 'GET', url, headers: auth(admin) })).json() as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    seen.push(...page.items.map((o) => o.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 14);
  assert.equal(new Set(seen).size, 14);
});

test('registering an organisation checks the USCC and changes nothing when invalid', async () => {
  const admin = await login(tp.platform, 'admin');
  const before = await sql<{ n: number }>`select count(*)::int as n from organisation`.execute(tp.platform.database.db);
  const bad = await inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: auth(admin),
    payload: { kind: 'enterprise', name: '测试企业', uscc: '91110108551385082R', roles: ['ebc', 'customs'] },
  });
  assert.equal(bad.statusCode, 400);
  const errs = (bad.json() as { errors: { field: string; rule: string }[] }).errors.map((e) => `${e.field}:${e.rule}`);
  assert.deepEqual(errs.sort(), ['roles[1]:roleForKind', 'uscc:checkCharacter']);
  const after1 = await sql<{ n: number }>`select count(*)::int as n from organisation`.execute(tp.platform.database.db);
  assert.equal(after1.rows[0]!.n, before.rows[0]!.n, 'nothing stored');

  const ok = await inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: auth(admin),
    payload: { kind: 'enterprise', name: '测试企业', uscc: '91110108551385082Q', roles: ['ebc'], jurisdiction: '4000' },
  });
  assert.equal(ok.statusCode, 201, ok.body);
  const dup = await inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: auth(admin),
    payload: { kind: 'enterprise', name: '另一企业', uscc: '91110108551385082Q', roles: ['ebc'] },
  });
  assert.equal(dup.statusCode, 409);
  const seller = await login(tp.platform, 'seller');
  assert.equal(
    (
      await inject({
        method: 'POST',
        url: '/api/v1/organisations',
        headers: auth(seller),
        payload: { kind: 'enterprise', name: 'x', uscc: '91110108551385082Q', roles: ['ebc'] },
      })
    ).statusCode,
    403,
  );
});

test('the UI language is remembered per user', async () => {
  const customs = await login(tp.platform, 'customs');
  assert.equal(
    (await inject({ method: 'PUT', url: '/api/v1/auth/me/locale', headers: auth(customs), payload: { locale: 'en' } }))
      .statusCode,
    204,
  );
  const again = await login(tp.platform, 'customs');
  const me = (await inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(again) })).json() as {
    user: { locale: string };
  };
  assert.equal(me.user.locale, 'en');
  assert.equal(
    (await inject({ method: 'PUT', url: '/api/v1/auth/me/locale', headers: auth(again), payload: { locale: 'fr' } })).statusCode,
    400,
  );
});

test('writes are audited and the audit log is readable by the administrator only', async () => {
  const admin = await login(tp.platform, 'admin');
  // Every log-in and failed log-in is audited too, so read far enough back to reach the seed.
  const res = await inject({ method: 'GET', url: '/api/v1/audit?limit=500', headers: auth(admin) });
  assert.equal(res.statusCode, 200);
  const actions = (res.json() as { items: { action: string }[] }).items.map((i) => i.action);
  await tp.platform.audit.flush(tp.platform.database.db);
  const withRequest = await sql<{
    n: number;
  }>`select count(*)::int as n from audit_log where action = 'apikey.create' and request_id is not null`.execute(
    tp.platform.database.db,
  );
  assert.equal(withRequest.rows[0]!.n, 1, 'the audit row names the HTTP request');
  for (const a of ['demo.seed', 'apikey.create', 'apikey.revoke', 'organisation.create', 'user.locale'])
    assert.ok(actions.includes(a), a);
  const seller = await login(tp.platform, 'seller');
  assert.equal((await inject({ method: 'GET', url: '/api/v1/audit', headers: auth(seller) })).statusCode, 403);
  const verify = await tp.platform.audit.verify(tp.platform.database.db);
  assert.equal(verify.ok, true);
});

test('health checks the database; security headers are set; unknown API paths answer problem+json 404', async () => {
  const h = await inject({ method: 'GET', url: '/healthz' });
  assert.equal(h.statusCode, 200);
  assert.deepEqual(h.json(), { status: 'ok', db: 'ok' });
  assert.match(String(h.headers['content-security-policy']), /default-src 'self'/);
  assert.equal(h.headers['x-content-type-options'], 'nosniff');
  assert.ok(h.headers['x-request-id']);
  assert.equal(h.headers['access-control-allow-origin'], undefined, 'CORS is off by default');
  const nf = await inject({ method: 'GET', url: '/api/v1/nothing-here' });
  assert.equal(nf.statusCode, 404);
  assert.match(String(nf.headers['content-type']), /problem\+json/);
});

test('behind a trusted proxy the log-in rate limit counts per forwarded client, never per forged header', async () => {
  const proxied = await startTestPlatform({ clock, listen: false, env: { TRUST_PROXY: '127.0.0.1' } });
  try {
    const attempt = (remoteAddress: string, forwardedFor: string) =>
      proxied.platform.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'nobody', password: 'x' },
        remoteAddress,
        headers: { 'x-forwarded-for': forwardedFor },
      });
    const viaProxy: number[] = [];
    for (let i = 0; i < 25; i++) viaProxy.push((await attempt('127.0.0.1', '203.0.113.50')).statusCode);
    assert.ok(viaProxy.includes(429), viaProxy.join());
    // another client behind the same proxy has its own budget
    assert.equal((await attempt('127.0.0.1', '203.0.113.51')).statusCode, 401);
    // a client that is not the proxy cannot pick a fresh address by sending the header itself
    const direct: number[] = [];
    for (let i = 0; i < 25; i++) direct.push((await attempt('198.51.100.200', `192.0.2.${i + 1}`)).statusCode);
    assert.ok(direct.includes(429), direct.join());
  } finally {
    await proxied.stop();
  }
});
