import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { encodeCeb, type CebEntity, type CebMessage } from '../../ceb/index.ts';
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
const msg = (messageType: keyof typeof USER, sender: { code: string; name: string }, entities: CebEntity[]): CebMessage => ({
  messageType,
  guid: guid(),
  version: '1.0',
  entities,
  baseTransfer: { copCode: sender.code, copName: sender.name, dxpMode: 'DXP', dxpId: `DXPENT${sender.code}` },
});

/** The demo messages, in the order the parties send them (parcel documents, then the flight's). */
export function demoFlowMessages(now: Date): CebMessage[] {
  const t = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '');
  const appTime = t.slice(0, 14);
  const ieDate = t.slice(0, 8);
  const declared = () => ({ guid: guid(), appType: '1', appTime, appStatus: '2' });
  const products = DEMO_PRODUCTS.filter((p) => p.ebcCode === P.seller.code);
  const ebp = { ebpCode: P.platform.code, ebpName: P.platform.name };
  const ebc = { ebcCode: P.seller.code, ebcName: P.seller.name };
  const logistics = { logisticsCode: P.carrier.code, logisticsName: P.carrier.name };
  const docs: { order: CebEntity; payment: CebEntity; waybill: CebEntity; inventory: CebEntity; logisticsNo: string }[] = [];
  let n = 0;
  for (const flow of DEMO_FLOWS)
    for (let i = 0; i < flow.parcels; i++) {
      n++;
      const orderNo = `DEMO-${flow.mode}-${String(n).padStart(4, '0')}`;
      const logisticsNo = `DM${flow.mode}${String(n).padStart(5, '0')}CN`;
      const lines = [{ p: products[n % products.length]!, qty: 1 + (n % 3) }].map((l) => ({
        ...l,
        total: l.qty * Number(l.p.referencePrice),
      }));
      const value = String(lines.reduce((a, l) => a + l.total, 0));
      const weight = (0.8 * lines.reduce((a, l) => a + l.qty, 0)).toFixed(2);
      docs.push({
        logisticsNo,
        order: {
          head: { ...declared(), orderType: 'E', orderNo, ...ebp, ...ebc, goodsValue: value, freight: '0', currency: '142' },
          lists: {
            OrderList: lines.map((l, j) => ({
              gnum: String(j + 1),
              itemNo: l.p.itemNo,
              itemName: l.p.gname,
              unit: l.p.unit,
              currency: '142',
              qty: String(l.qty),
              price: l.p.referencePrice,
              totalPrice: String(l.total),
            })),
          },
        },
        payment: {
          head: {
            ...declared(),
            ...ebp,
            ...ebc,
            orderNo,
            payCode: P.payer.code,
            payName: P.payer.name,
            payNo: `DEMOPAY${String(n).padStart(6, '0')}`,
            charge: value,
            currency: '142',
            accountingDate: appTime,
          },
          lists: {},
        },
        waybill: {
          head: {
            ...declared(),
            ...logistics,
            logisticsNo,
            freight: '35',
            insuredFee: '0',
            currency: '142',
            grossWeight: weight,
            packNo: '1',
            goodsInfo: '瓷器 porcelain',
            ...ebc,
          },
          lists: {},
        },
        inventory: {
          head: {
            ...declared(),
            customsCode: '4006',
            ...ebp,
            orderNo,
            ...logistics,
            logisticsNo,
            copNo: `DEMO-INV-${String(n).padStart(6, '0')}`,
            ieFlag: 'E',
            portCode: '4006',
            ieDate,
            statisticsFlag: 'B',
            agentCode: P.broker.code,
            agentName: P.broker.name,
            ...ebc,
            ownerCode: P.seller.code,
            ownerName: P.seller.name,
            ...(flow.mode === '1210' ? { iacCode: P.warehouse.code, iacName: P.warehouse.name } : {}),
            tradeMode: flow.mode,
            trafMode: '5',
            country: flow.country,
            POD: '3154',
            freight: '35',
            fCurrency: '142',
            fFlag: '3',
            insuredFee: '0',
            iCurrency: '142',
            iFlag: '3',
            wrapType: '2',
            packNo: '1',
            grossWeight: weight,
            netWeight: (Number(weight) * 0.9).toFixed(2),
          },
          lists: {
            InventoryList: lines.map((l, j) => ({
              gnum: String(j + 1),
              itemNo: l.p.itemNo,
              itemName: l.p.gname,
              gcode: l.p.hsCode,
              gname: l.p.gname,
              gmodel: l.p.gmodel,
              barCode: '无',
              country: flow.country,
              currency: '142',
              qty: String(l.qty),
              qty1: String(l.qty),
              unit: l.p.unit,
              unit1: l.p.legalUnit1,
              price: l.p.referencePrice,
              totalPrice: String(l.total),
            })),
          },
        },
      });
    }
  const site = { customsCode: '4006', copNo: `DEMO-B${ieDate}` };
  const billNo = `DEMO-784-${ieDate}`;
  const flight = { trafMode: '5', trafName: 'CA1234', voyageNo: 'CA1234', billNo };
  const list = (name: string) => ({ [name]: docs.map((d, i) => ({ gnum: String(i + 1), logisticsNo: d.logisticsNo })) });
  return [
    msg(
      'CEB303',
      P.platform,
      docs.map((d) => d.order),
    ),
    msg(
      'CEB403',
      P.payer,
      docs.map((d) => d.payment),
    ),
    msg(
      'CEB505',
      P.carrier,
      docs.map((d) => d.waybill),
    ),
    msg(
      'CEB603',
      P.broker,
      docs.map((d) => d.inventory),
    ),
    msg('CEB507', P.warehouse, [
      {
        head: {
          ...declared(),
          ...site,
          operatorCode: P.warehouse.code,
          operatorName: P.warehouse.name,
          ieFlag: 'E',
          trafMode: '5',
          billNo,
          domesticTrafNo: '赣A12345',
          ...logistics,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: list('ArrivalList'),
      },
    ]),
    msg('CEB607', P.broker, [
      {
        head: {
          ...declared(),
          ...site,
          agentCode: P.broker.code,
          agentName: P.broker.name,
          ...flight,
          grossWeight: '100',
          ...logistics,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: list('WayBillList'),
      },
    ]),
    msg('CEB509', P.carrier, [
      {
        head: { ...declared(), ...site, ...logistics, ...flight, leaveTime: appTime, msgCount: '1', msgSeqNo: '1' },
        lists: list('DepartureList'),
      },
    ]),
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
    for (const m of demoFlowMessages(deps.clock.now())) {
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
      const body = r.json() as { accepted?: number; rejected?: number };
      out.accepted += body.accepted ?? 0;
      out.rejected += body.rejected ?? m.entities.length;
    }
  } finally {
    for (const token of tokens.values())
      await deps.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
  }
  return out;
}
