import {
  cebMessage,
  fillInvtNos,
  flightMessages,
  parcelDocuments as cebParcelDocuments,
  type CebEntity,
  type CebMessage,
  type ExportMessageType,
  type Parcel,
  type ParcelShape,
} from '../../src/ceb/index.ts';
import { DEMO_PRODUCTS } from '../../src/modules/filing/index.ts';

/**
 * Realistic 9610 parcels among the demo parties: order (platform), payment collection (payer),
 * waybill (carrier), inventory (broker for the seller); plus the carrier's and broker's bills.
 */
export const PARTIES = {
  platform: { code: '3601960001', name: '赣品出海跨境平台有限公司' },
  seller: { code: '3601260888', name: '景德镇青花瓷业进出口有限公司' },
  carrier: { code: '3601980012', name: '中国邮政速递物流股份有限公司江西省分公司' },
  payer: { code: '3101960003', name: '连通跨境支付有限公司' },
  broker: { code: '3601980099', name: '南昌昌北报关行有限公司' },
  warehouse: { code: '3601980077', name: '南昌国际快件监管中心运营有限公司' },
} as const;

const APP_TIME = '20261126103000';
const sellerProducts = DEMO_PRODUCTS.filter((p) => p.ebcCode === PARTIES.seller.code);

export function guidOf(prefix: number, n: number): string {
  return `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export type { Parcel, ParcelProduct, ParcelShape } from '../../src/ceb/index.ts';

/** The four documents of parcel n of run `run` among the shape's parties, declared by the demo broker. */
export function parcelDocuments(n: number, run: string, shape: ParcelShape): Parcel {
  return cebParcelDocuments(
    n,
    { run, agent: PARTIES.broker, appTime: APP_TIME, ieDate: APP_TIME.slice(0, 8), guid: guidOf },
    shape,
  );
}

export function makeParcel(n: number, run = 'T'): Parcel {
  const lineCount = 1 + (n % 2);
  return parcelDocuments(n, run, {
    platform: PARTIES.platform,
    seller: PARTIES.seller,
    payer: PARTIES.payer,
    carrier: PARTIES.carrier,
    lines: Array.from({ length: lineCount }, (_, i) => ({
      p: sellerProducts[i % sellerProducts.length]!,
      qty: 1 + ((n + i) % 3),
    })),
    country: '502',
    goodsInfo: '青花瓷器 porcelain',
  });
}

export function message(
  messageType: ExportMessageType,
  guid: string,
  sender: { code: string; name: string },
  entities: CebEntity[],
): CebMessage {
  return cebMessage(messageType, guid, sender, entities);
}

/**
 * After the inventories of `parcels` were sent in one CEB603 (in this order): each parcel keeps the
 * inventory number intake gave it, which the broker's total-sub bill names (see siteMessages).
 */
export function recordInvtNos(
  parcels: readonly Parcel[],
  outcome: { entities: readonly { index: number; accepted?: boolean; invtNo?: string | null }[] },
): void {
  for (const e of outcome.entities) {
    const p = parcels[e.index];
    if (p && e.invtNo && e.accepted !== false) p.invtNo = e.invtNo;
  }
}

/**
 * The carrier's and broker's documents for a batch of parcels on one flight. The total-sub bill
 * names each parcel's inventory by the number recorded on the parcel (recordInvtNos): intake
 * refuses a bill line without one.
 */
export function siteMessages(
  batch: number,
  parcels: Parcel[],
  run = 'T',
): { arrival: CebMessage; consolidation: CebMessage; departure: CebMessage } {
  return flightMessages(
    {
      warehouse: PARTIES.warehouse,
      agent: PARTIES.broker,
      carrier: PARTIES.carrier,
      billNo: `${run}-784-${String(batch).padStart(8, '0')}`,
      copNo: `${run}-B${String(batch).padStart(6, '0')}`,
      appTime: APP_TIME,
      leaveTime: '20261126180000',
      guid: guidOf,
      batch,
    },
    parcels.map((p) => p.logisticsNo),
    parcels.map((p) => p.invtNo),
  );
}

export type DemoSender = 'platform' | 'payer' | 'carrier' | 'broker' | 'warehouse';

/**
 * Everything a block of ≤ 100 parcels sends, in the order the parties would: the four parcel
 * messages, then the arrival, total-sub bill and departure of their flight. Each message comes
 * with the demo user that sends it.
 */
export function blockMessages(block: number, parcels: Parcel[], run: string): { user: DemoSender; message: CebMessage }[] {
  const site = siteMessages(block, parcels, run);
  return [
    {
      user: 'platform',
      message: message(
        'CEB303',
        guidOf(3030, block),
        PARTIES.platform,
        parcels.map((p) => p.order),
      ),
    },
    {
      user: 'payer',
      message: message(
        'CEB403',
        guidOf(4030, block),
        PARTIES.payer,
        parcels.map((p) => p.payment),
      ),
    },
    {
      user: 'carrier',
      message: message(
        'CEB505',
        guidOf(5050, block),
        PARTIES.carrier,
        parcels.map((p) => p.waybill),
      ),
    },
    {
      user: 'broker',
      message: message(
        'CEB603',
        guidOf(6030, block),
        PARTIES.broker,
        parcels.map((p) => p.inventory),
      ),
    },
    { user: 'warehouse', message: site.arrival },
    { user: 'broker', message: site.consolidation },
    { user: 'carrier', message: site.departure },
  ];
}

/**
 * Sends a block's messages (blockMessages) in order through `post`, which answers each intake
 * outcome: the numbers the CEB603 outcome gives the inventories go into the total-sub bill's
 * lines before it is sent, as a broker reads them from its CEB604 receipts.
 */
export async function sendBlock<O extends { entities: readonly { index: number; invtNo?: string | null }[] }>(
  steps: readonly { user: DemoSender; message: CebMessage }[],
  post: (user: DemoSender, m: CebMessage) => Promise<O>,
): Promise<void> {
  for (const { user, message: m } of steps) {
    const outcome = await post(user, m);
    if (m.messageType === 'CEB603')
      fillInvtNos(
        steps.map((s) => s.message),
        m,
        outcome,
      );
  }
}

/** A CEB605 entity: the broker cancels the seller's inventory `invtNo` (the buyer cancelled the order). */
export function cancellationEntity(invtNo: string, guid: string, copNo: string) {
  return {
    head: {
      guid,
      appType: '1',
      appTime: '20261126120000',
      appStatus: '2',
      customsCode: '4006',
      copNo,
      invtNo,
      reason: '买家取消订单',
      agentCode: PARTIES.broker.code,
      agentName: PARTIES.broker.name,
      ebcCode: PARTIES.seller.code,
      ebcName: PARTIES.seller.name,
    },
    lists: {},
  };
}
