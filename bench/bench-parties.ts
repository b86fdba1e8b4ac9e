/**
 * Set-up of the clearance benchmark, before the clock starts: the extra sellers, platforms,
 * payers and carriers of bench/parcel-messages.ts registered, filed and approved, and the
 * sellers' products filed and approved, all through the platform's HTTP API as an operator,
 * each enterprise and customs would. Returns a bearer credential per sender customs code.
 */
import type { Platform } from '../src/server/platform.ts';
import { completeUscc } from '../src/modules/identity/rules/enterprise-codes.ts';
import { PARTIES } from '../test/support/parcels.ts';
import {
  BENCH_CARRIERS,
  BENCH_PAYERS,
  BENCH_PLATFORMS,
  BENCH_SELLERS,
  PRODUCTS_TO_FILE,
  type BenchParty,
} from './parcel-messages.ts';

const PASSWORD = 'Bench-Sender.2026!';
let ip = 0;

async function call(
  p: Platform,
  token: string | null,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
  expect = [200, 201],
): Promise<unknown> {
  const res = await p.app.inject({
    method,
    url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    remoteAddress: `10.98.${Math.floor(ip / 250) % 250}.${(ip++ % 250) + 1}`,
  });
  if (!expect.includes(res.statusCode))
    throw new Error(`set-up ${method} ${url}: HTTP ${res.statusCode} ${res.body.slice(0, 400)}`);
  return res.body ? res.json() : null;
}

export async function login(p: Platform, username: string, password = 'cbec-demo'): Promise<string> {
  return ((await call(p, null, 'POST', '/api/v1/auth/login', { username, password })) as { token: string }).token;
}

/** One new enterprise: registered by the operator, its administrator, an API key, its filing submitted and approved. */
async function enrol(p: Platform, admin: string, customs: string, party: BenchParty, role: string): Promise<string> {
  const uscc = completeUscc(`91${party.code}MA001`);
  const org = (await call(p, admin, 'POST', '/api/v1/organisations', {
    kind: 'enterprise',
    name: party.name,
    uscc,
    customsCode: party.code,
    roles: [role],
    jurisdiction: '4006',
  })) as { id: string };
  const username = `bench.${role}.${party.code}`;
  await call(p, admin, 'POST', '/api/v1/users', {
    username,
    displayName: `${party.name.slice(0, 20)} 管理员`,
    password: PASSWORD,
    roles: ['enterprise_admin'],
    organisationId: org.id,
  });
  const user = await login(p, username, PASSWORD);
  const filing = (await call(p, user, 'POST', '/api/v1/filings/enterprise', {
    licenceNo: uscc,
    legalRep: '张三',
    contactName: '李四',
    contactPhone: `0791-8${party.code.slice(-7)}`,
    address: `江西省南昌市红谷滩区世贸路${Number(party.code.slice(-3))}号`,
    roles: [role],
  })) as { id: string };
  await call(p, user, 'POST', `/api/v1/filings/enterprise/${filing.id}/submit`);
  await call(p, customs, 'POST', `/api/v1/customs/enterprise-filings/${filing.id}/approve`);
  const key = (await call(p, user, 'POST', '/api/v1/api-keys', { name: '报文对接 / message interface' })) as { key: string };
  return key.key;
}

/**
 * Registers and files every party of the benchmark besides the demo ones, and files the sellers'
 * products. Returns a credential per customs code of a new party.
 */
export async function enrolBenchParties(p: Platform): Promise<Map<string, string>> {
  const admin = await login(p, 'admin');
  const customs = await login(p, 'customs');
  const parties: [BenchParty, string][] = [
    ...BENCH_SELLERS.slice(1).map((x) => [x, 'ebc'] as [BenchParty, string]),
    ...BENCH_PLATFORMS.slice(1).map((x) => [x, 'ebp'] as [BenchParty, string]),
    ...BENCH_PAYERS.slice(1).map((x) => [x, 'payment'] as [BenchParty, string]),
    ...BENCH_CARRIERS.slice(1).map((x) => [x, 'logistics'] as [BenchParty, string]),
  ];
  const keys = new Map<string, string>();
  await Promise.all(
    parties.map(async ([party, role]) => {
      keys.set(party.code, await enrol(p, admin, customs, party, role));
    }),
  );
  // Products: each seller files its own in one bulk request; customs approves any sent for review.
  await Promise.all(
    BENCH_SELLERS.map(async (seller, s) => {
      const token = seller.code === PARTIES.seller.code ? await login(p, 'seller') : keys.get(seller.code)!;
      const items = PRODUCTS_TO_FILE[s]!.map((x) => ({
        itemNo: x.itemNo,
        gname: x.gname,
        gnameEn: x.gnameEn,
        hsCode: x.hsCode,
        gmodel: x.gmodel,
        unit: x.unit,
        legalUnit1: x.legalUnit1,
        referencePrice: x.referencePrice,
      }));
      if (!items.length) return;
      const filed = (await call(p, token, 'POST', '/api/v1/products/bulk', { items })) as {
        items: { id: string; status: string }[];
      };
      for (const f of filed.items.filter((x) => x.status !== 'approved'))
        await call(p, customs, 'POST', `/api/v1/customs/product-filings/${f.id}/approve`);
    }),
  );
  // The demo sellers are graded AA by customs (no sampling, not first-time exporters); the
  // benchmark's sellers get the same grade, set in the risk workbench, so every parcel releases.
  for (const seller of BENCH_SELLERS.slice(1))
    await call(p, customs, 'PUT', `/api/v1/risk/credit/${seller.code}`, { level: 'AA' });
  return keys;
}
