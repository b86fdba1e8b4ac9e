/**
 * Consistent parcels as CEB documents: the order, payment collection, waybill and inventory of one
 * parcel agree with each other field by field, so the three-document match passes, and the
 * arrival, total-sub bill and departure of a flight name its parcels. The demo traffic, the
 * tests and the benchmarks all build their parcels here, each with its own parties, numbers and
 * times.
 */
import type { CebEntity, CebMessage, CebRecord } from './ceb.message.ts';
import type { ExportMessageType } from './ceb.specs.ts';

export interface CebParty {
  code: string;
  name: string;
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
  platform: CebParty;
  seller: CebParty;
  payer: CebParty;
  carrier: CebParty;
  lines: { p: ParcelProduct; qty: number }[];
  country: string;
  /** the waybill's goods description */
  goodsInfo: string;
}

export interface Parcel {
  n: number;
  orderNo: string;
  logisticsNo: string;
  order: CebEntity;
  payment: CebEntity;
  waybill: CebEntity;
  inventory: CebEntity;
  /**
   * The inventory number intake gave the parcel's inventory (its CEB604), once declared: the
   * total-sub bill (CEB607) names each parcel by it. Set by whoever sent the inventory.
   */
  invtNo?: string;
}

/** What a run of parcels shares: the declaring agent, the times and how guids are made. */
export interface ParcelRun {
  /** prefix of the order, waybill and internal numbers */
  run: string;
  agent: CebParty;
  /** YYYYMMDDhhmmss, China time */
  appTime: string;
  /** YYYYMMDD */
  ieDate: string;
  tradeMode?: string;
  /** guid of document `docType` (303, 403, 505, 603, 507, 607, 509) number `n` */
  guid(docType: number, n: number): string;
  /** payment transaction numbers: `${payNoPrefix}` + n in 10 digits (default PAY) */
  payNoPrefix?: string;
}

const declared = (guid: string, appTime: string): CebRecord => ({ guid, appType: '1', appTime, appStatus: '2' });

export function cebMessage(messageType: ExportMessageType, guid: string, sender: CebParty, entities: CebEntity[]): CebMessage {
  return {
    messageType,
    guid,
    version: '1.0',
    entities,
    baseTransfer: { copCode: sender.code, copName: sender.name, dxpMode: 'DXP', dxpId: `DXPENT${sender.code}` },
  };
}

/** The four documents of parcel n, consistent with each other so the three-document match passes. */
export function parcelDocuments(n: number, r: ParcelRun, shape: ParcelShape): Parcel {
  const { platform, seller, payer, carrier, country } = shape;
  const orderNo = `${r.run}-ORD-${String(n).padStart(8, '0')}`;
  const logisticsNo = `${r.run}${String(n).padStart(9, '0')}CN`;
  const lines = shape.lines.map((l) => ({ ...l, total: l.qty * Number(l.p.referencePrice) }));
  const goodsValue = lines.reduce((a, l) => a + l.total, 0);
  const weight = (0.8 * lines.reduce((a, l) => a + l.qty, 0)).toFixed(2);
  const ebp = { ebpCode: platform.code, ebpName: platform.name };
  const ebc = { ebcCode: seller.code, ebcName: seller.name };
  const logistics = { logisticsCode: carrier.code, logisticsName: carrier.name };
  const order: CebEntity = {
    head: {
      ...declared(r.guid(303, n), r.appTime),
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
      ...declared(r.guid(403, n), r.appTime),
      ...ebp,
      ...ebc,
      orderNo,
      payCode: payer.code,
      payName: payer.name,
      payNo: `${r.payNoPrefix ?? 'PAY'}${String(n).padStart(10, '0')}`,
      charge: String(goodsValue),
      currency: '142',
      accountingDate: r.appTime,
    },
    lists: {},
  };
  const waybill: CebEntity = {
    head: {
      ...declared(r.guid(505, n), r.appTime),
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
      ...declared(r.guid(603, n), r.appTime),
      customsCode: '4006',
      ...ebp,
      orderNo,
      ...logistics,
      logisticsNo,
      copNo: `${r.run}-INV-${String(n).padStart(8, '0')}`,
      ieFlag: 'E',
      portCode: '4006',
      ieDate: r.ieDate,
      statisticsFlag: 'B',
      agentCode: r.agent.code,
      agentName: r.agent.name,
      ...ebc,
      ownerCode: seller.code,
      ownerName: seller.name,
      tradeMode: r.tradeMode ?? '9610',
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

/** A flight of parcels at the supervision site: who reports it, its numbers and times. */
export interface FlightShape {
  warehouse: CebParty;
  agent: CebParty;
  carrier: CebParty;
  billNo: string;
  copNo: string;
  appTime: string;
  /** YYYYMMDDhhmmss, China time */
  leaveTime: string;
  /** guid of message (5070, 6070, 5090) or entity (507, 607, 509) number `batch` */
  guid(docType: number, batch: number): string;
  batch: number;
}

/**
 * The warehouse's arrival (CEB507), the agent's total-sub bill (CEB607) and the carrier's departure
 * (CEB509) of a flight. The bill names each parcel's inventory by its number (`invtNos`, by index):
 * intake refuses a bill line without one, so pass them once the inventories are declared.
 */
export function flightMessages(
  f: FlightShape,
  logisticsNos: readonly string[],
  invtNos: readonly (string | null | undefined)[] = [],
): { arrival: CebMessage; consolidation: CebMessage; departure: CebMessage } {
  const head = (docType: number) => ({ ...declared(f.guid(docType, f.batch), f.appTime), customsCode: '4006', copNo: f.copNo });
  const logistics = { logisticsCode: f.carrier.code, logisticsName: f.carrier.name };
  const flight = { trafMode: '5', trafName: 'CA1234', voyageNo: 'CA1234', billNo: f.billNo };
  const list = (name: string) => ({ [name]: logisticsNos.map((logisticsNo, i) => ({ gnum: String(i + 1), logisticsNo })) });
  const bill = logisticsNos.map((logisticsNo, i): CebRecord => {
    const invtNo = invtNos[i];
    return invtNo ? { gnum: String(i + 1), logisticsNo, invtNo } : { gnum: String(i + 1), logisticsNo };
  });
  return {
    arrival: cebMessage('CEB507', f.guid(5070, f.batch), f.warehouse, [
      {
        head: {
          ...head(507),
          operatorCode: f.warehouse.code,
          operatorName: f.warehouse.name,
          ieFlag: 'E',
          trafMode: '5',
          billNo: f.billNo,
          domesticTrafNo: '赣A12345',
          ...logistics,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: list('ArrivalList'),
      },
    ]),
    consolidation: cebMessage('CEB607', f.guid(6070, f.batch), f.agent, [
      {
        head: {
          ...head(607),
          agentCode: f.agent.code,
          agentName: f.agent.name,
          ...flight,
          grossWeight: '100',
          ...logistics,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: { WayBillList: bill },
      },
    ]),
    departure: cebMessage('CEB509', f.guid(5090, f.batch), f.carrier, [
      {
        head: { ...head(509), ...logistics, ...flight, leaveTime: f.leaveTime, msgCount: '1', msgSeqNo: '1' },
        lists: list('DepartureList'),
      },
    ]),
  };
}

/**
 * After the inventories' intake: writes the number each CEB603 entity was given (its outcome's
 * `invtNo`, by entity index) into the lines of the total-sub bills (CEB607) among `messages` that
 * name the same parcel (logisticsCode|logisticsNo) and name no inventory yet. For senders that
 * build a block's messages up front and send them in order.
 */
export function fillInvtNos(
  messages: readonly CebMessage[],
  inventories: CebMessage,
  outcome: { entities: readonly { index: number; invtNo?: string | null }[] },
): void {
  const byParcel = new Map<string, string>();
  for (const e of outcome.entities) {
    const head = inventories.entities[e.index]?.head;
    if (head && e.invtNo) byParcel.set(`${head.logisticsCode}|${head.logisticsNo}`, e.invtNo);
  }
  for (const m of messages) {
    if (m.messageType !== 'CEB607') continue;
    for (const entity of m.entities)
      for (const line of entity.lists.WayBillList ?? []) {
        const invtNo = byParcel.get(`${entity.head.logisticsCode}|${line.logisticsNo}`);
        if (invtNo && !line.invtNo) line.invtNo = invtNo;
      }
  }
}
