import type { CebEntity, CebMessage, ExportMessageType } from '../../src/ceb/index.ts';
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

const declared = (g: string): Record<string, string> => ({ guid: g, appType: '1', appTime: APP_TIME, appStatus: '2' });

export interface Parcel {
  n: number;
  orderNo: string;
  logisticsNo: string;
  order: CebEntity;
  payment: CebEntity;
  waybill: CebEntity;
  inventory: CebEntity;
}

/** A product as a parcel line names it: what the order and inventory lines carry. */
export interface ParcelProduct {
  itemNo: string;
  gname: string;
  gmodel: string;
  hsCode: string;
  unit: string;
  legalUnit1: string;
  referencePrice: string;
}

/** Who takes part in a parcel, its lines and destination: everything else follows from n. */
export interface ParcelShape {
  platform: { code: string; name: string };
  seller: { code: string; name: string };
  payer: { code: string; name: string };
  carrier: { code: string; name: string };
  lines: { p: ParcelProduct; qty: number }[];
  country: string;
  /** the waybill's goods description */
  goodsInfo: string;
}

/** The four documents of parcel n, consistent with each other so the three-document match passes. */
export function parcelDocuments(n: number, run: string, shape: ParcelShape): Parcel {
  const { platform, seller, payer, carrier, country } = shape;
  const orderNo = `${run}-ORD-${String(n).padStart(8, '0')}`;
  const logisticsNo = `${run}${String(n).padStart(9, '0')}CN`;
  const lines = shape.lines.map((l) => ({ ...l, total: l.qty * Number(l.p.referencePrice) }));
  const goodsValue = lines.reduce((a, l) => a + l.total, 0);
  const weight = (0.8 * lines.reduce((a, l) => a + l.qty, 0)).toFixed(2);
  const ebp = { ebpCode: platform.code, ebpName: platform.name };
  const ebc = { ebcCode: seller.code, ebcName: seller.name };
  const logistics = { logisticsCode: carrier.code, logisticsName: carrier.name };
  const order: CebEntity = {
    head: {
      ...declared(guidOf(303, n)),
      orderType: 'E',
      orderNo,
      ...ebp,
      ...ebc,
      goodsValue: String(goodsValue),
      freight: '0',
      currency: '142',
    },
    lists: {
      OrderList: lines.map((l, i) => ({
        gnum: String(i + 1),
        itemNo: l.p.itemNo,
        itemName: l.p.gname,
        unit: l.p.unit,
        currency: '142',
        qty: String(l.qty),
        price: l.p.referencePrice,
        totalPrice: String(l.total),
      })),
    },
  };
  const payment: CebEntity = {
    head: {
      ...declared(guidOf(403, n)),
      ...ebp,
      ...ebc,
      orderNo,
      payCode: payer.code,
      payName: payer.name,
      payNo: `PAY${String(n).padStart(10, '0')}`,
      charge: String(goodsValue),
      currency: '142',
      accountingDate: APP_TIME,
    },
    lists: {},
  };
  const waybill: CebEntity = {
    head: {
      ...declared(guidOf(505, n)),
      ...logistics,
      logisticsNo,
      freight: '35',
      insuredFee: '0',
      currency: '142',
      grossWeight: weight,
      packNo: '1',
      goodsInfo: shape.goodsInfo,
      ...ebc,
    },
    lists: {},
  };
  const inventory: CebEntity = {
    head: {
      ...declared(guidOf(603, n)),
      customsCode: '4006',
      ...ebp,
      orderNo,
      ...logistics,
      logisticsNo,
      copNo: `${run}-INV-${String(n).padStart(8, '0')}`,
      ieFlag: 'E',
      portCode: '4006',
      ieDate: '20261126',
      statisticsFlag: 'B',
      agentCode: PARTIES.broker.code,
      agentName: PARTIES.broker.name,
      ...ebc,
      ownerCode: seller.code,
      ownerName: seller.name,
      tradeMode: '9610',
      trafMode: '5',
      country,
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
      InventoryList: lines.map((l, i) => ({
        gnum: String(i + 1),
        itemNo: l.p.itemNo,
        itemName: l.p.gname,
        gcode: l.p.hsCode,
        gname: l.p.gname,
        gmodel: l.p.gmodel,
        barCode: '无',
        country,
        currency: '142',
        qty: String(l.qty),
        qty1: String(l.qty),
        unit: l.p.unit,
        unit1: l.p.legalUnit1,
        price: l.p.referencePrice,
        totalPrice: String(l.total),
      })),
    },
  };
  return { n, orderNo, logisticsNo, order, payment, waybill, inventory };
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

function transfer(p: { code: string; name: string }): Record<string, string> {
  return { copCode: p.code, copName: p.name, dxpMode: 'DXP', dxpId: `DXPENT${p.code}` };
}

export function message(
  messageType: ExportMessageType,
  guid: string,
  sender: { code: string; name: string },
  entities: CebEntity[],
): CebMessage {
  return { messageType, guid, version: '1.0', entities, baseTransfer: transfer(sender) };
}

/** The carrier's and broker's documents for a batch of parcels on one flight. */
export function siteMessages(
  batch: number,
  parcels: Parcel[],
  run = 'T',
): { arrival: CebMessage; consolidation: CebMessage; departure: CebMessage } {
  const billNo = `${run}-784-${String(batch).padStart(8, '0')}`;
  const copNo = `${run}-B${String(batch).padStart(6, '0')}`;
  const head = (g: string) => ({ ...declared(g), customsCode: '4006', copNo });
  return {
    arrival: message('CEB507', guidOf(5070, batch), PARTIES.warehouse, [
      {
        head: {
          ...head(guidOf(507, batch)),
          operatorCode: PARTIES.warehouse.code,
          operatorName: PARTIES.warehouse.name,
          ieFlag: 'E',
          trafMode: '5',
          billNo,
          domesticTrafNo: '赣A12345',
          logisticsCode: PARTIES.carrier.code,
          logisticsName: PARTIES.carrier.name,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: { ArrivalList: parcels.map((p, i) => ({ gnum: String(i + 1), logisticsNo: p.logisticsNo })) },
      },
    ]),
    consolidation: message('CEB607', guidOf(6070, batch), PARTIES.broker, [
      {
        head: {
          ...head(guidOf(607, batch)),
          agentCode: PARTIES.broker.code,
          agentName: PARTIES.broker.name,
          trafMode: '5',
          trafName: 'CA1234',
          voyageNo: 'CA1234',
          billNo,
          grossWeight: '100',
          logisticsCode: PARTIES.carrier.code,
          logisticsName: PARTIES.carrier.name,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: { WayBillList: parcels.map((p, i) => ({ gnum: String(i + 1), logisticsNo: p.logisticsNo })) },
      },
    ]),
    departure: message('CEB509', guidOf(5090, batch), PARTIES.carrier, [
      {
        head: {
          ...head(guidOf(509, batch)),
          logisticsCode: PARTIES.carrier.code,
          logisticsName: PARTIES.carrier.name,
          trafMode: '5',
          trafName: 'CA1234',
          voyageNo: 'CA1234',
          billNo,
          leaveTime: '20261126180000',
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: { DepartureList: parcels.map((p, i) => ({ gnum: String(i + 1), logisticsNo: p.logisticsNo })) },
      },
    ]),
  };
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
