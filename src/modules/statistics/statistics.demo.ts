import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  cebMessage,
  encodeCeb,
  fillInvtNos,
  flightMessages,
  parcelDocuments,
  type CebEntity,
  type CebMessage,
  type CebParty,
  type Parcel,
} from '../../ceb/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { DEMO_PRODUCTS } from '../filing/index.ts';

/**
 * Demo flows for the statistics dashboards (issue 8): a few parcels of each business mode —
 * 9610 retail, 9710 B2B, 9810 export to an overseas warehouse, 1210 bonded export (naming the
 * zone enterprise) — declared by the demo parties as CEB messages through clearance, as real
 * traffic is: the pipeline releases and closes them and the fold counts each once under its mode.
 * Nothing is written to the statistics cubes directly, so a rebuild gives the same figures.
 * Run on a fresh demo platform (`ensureDemo`), before the workers start; not in `seedDemo`,
 * whose parties the tests share.
 */
export const DEMO_FLOWS: readonly { mode: string; parcels: number; country: string }[] = [
  { mode: '9610', parcels: 6, country: '502' },
  { mode: '9710', parcels: 2, country: '303' },
  { mode: '9810', parcels: 3, country: '502' },
  { mode: '1210', parcels: 2, country: '116' },
];

const P = {
  platform: { code: '3601960001', name: '赣品出海跨境平台有限公司' },
  seller: { code: '3601260888', name: '景德镇青花瓷业进出口有限公司' },
  carrier: { code: '3601980012', name: '中国邮政速递物流股份有限公司江西省分公司' },
  payer: { code: '3101960003', name: '连通跨境支付有限公司' },
  broker: { code: '3601980099', name: '南昌昌北报关行有限公司' },
  warehouse: { code: '3601980077', name: '南昌国际快件监管中心运营有限公司' },
} as const;
const USER = {
  CEB303: 'platform',
  CEB403: 'payer',
  CEB505: 'carrier',
  CEB603: 'broker',
  CEB507: 'warehouse',
  CEB607: 'broker',
  CEB509: 'carrier',
} as const;

const guid = () => randomUUID().toUpperCase();

/** The demo messages, in the order the parties send them (parcel documents, then the flight's). */
export function demoFlowMessages(now: Date): CebMessage[] {
  const t = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '');
  const appTime = t.slice(0, 14);
  const ieDate = t.slice(0, 8);
  const products = DEMO_PRODUCTS.filter((p) => p.ebcCode === P.seller.code);
  const parcels: Parcel[] = [];
  let n = 0;
  for (const flow of DEMO_FLOWS)
    for (let i = 0; i < flow.parcels; i++) {
      n++;
      // Numbers start with D (D9610-ORD-…, D9610…CN): never those of a load a test or benchmark sends.
      const run = { run: `D${flow.mode}`, agent: P.broker, appTime, ieDate, tradeMode: flow.mode, guid, payNoPrefix: 'DEMOPAY' };
      const p = parcelDocuments(n, run, {
        platform: P.platform,
        seller: P.seller,
        payer: P.payer,
        carrier: P.carrier,
        lines: [{ p: products[n % products.length]!, qty: 1 + (n % 3) }],
        country: flow.country,
        goodsInfo: '瓷器 porcelain',
      });
      // 1210: the goods left from a bonded zone; the inventory names the zone enterprise.
      if (flow.mode === '1210') Object.assign(p.inventory.head, { iacCode: P.warehouse.code, iacName: P.warehouse.name });
      parcels.push(p);
    }
  const flight = flightMessages(
    {
      warehouse: P.warehouse,
      agent: P.broker,
      carrier: P.carrier,
      billNo: `DEMO-784-${ieDate}`,
      copNo: `DEMO-B${ieDate}`,
      appTime,
      leaveTime: appTime,
      guid,
      batch: 1,
    },
    parcels.map((p) => p.logisticsNo),
  );
  const each = (type: 'CEB303' | 'CEB403' | 'CEB505' | 'CEB603', sender: CebParty, pick: (p: Parcel) => CebEntity) =>
    cebMessage(type, guid(), sender, parcels.map(pick));
  return [
    each('CEB303', P.platform, (p) => p.order),
    each('CEB403', P.payer, (p) => p.payment),
    each('CEB505', P.carrier, (p) => p.waybill),
    each('CEB603', P.broker, (p) => p.inventory),
    flight.arrival,
    flight.consolidation,
    flight.departure,
  ];
}

/**
 * Sends the demo flows as the demo parties would: each logs in (demo password), posts its CEB
 * XML to `/api/v1/ceb` and logs out. Answers how many entities were accepted and rejected.
 */
export async function seedStatisticsDemo(deps: {
  app: FastifyInstance;
  clock: Clock;
  password?: string;
}): Promise<{ accepted: number; rejected: number }> {
  const tokens = new Map<string, string>();
  const out = { accepted: 0, rejected: 0 };
  try {
    const messages = demoFlowMessages(deps.clock.now());
    for (const m of messages) {
      const user = USER[m.messageType as keyof typeof USER];
      if (!tokens.has(user)) {
        const r = await deps.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: user, password: deps.password ?? 'cbec-demo' },
        });
        if (r.statusCode !== 200) return out;
        tokens.set(user, (r.json() as { token: string }).token);
      }
      const r = await deps.app.inject({
        method: 'POST',
        url: '/api/v1/ceb',
        headers: { authorization: `Bearer ${tokens.get(user)!}`, 'content-type': 'application/xml' },
        payload: encodeCeb(m),
      });
      const body = r.json() as { accepted?: number; rejected?: number; entities?: { index: number; invtNo?: string }[] };
      // the broker's total-sub bill names each inventory by the number intake gave it
      if (m.messageType === 'CEB603') fillInvtNos(messages, m, { entities: body.entities ?? [] });
      out.accepted += body.accepted ?? 0;
      out.rejected += body.rejected ?? m.entities.length;
    }
  } finally {
    for (const token of tokens.values())
      await deps.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
  }
  return out;
}
