import { validateCeb, type CebEntity, type CebMessage } from '../../../ceb/index.ts';
import type { Bilingual } from '../../../kernel/errors.ts';
import type { Product } from '../../filing/index.ts';
import type { DraftProblem, SalesOrderLine } from '../orders.tables.ts';
import { parseDecimal } from './values.ts';

/**
 * Builds a CEB603 inventory (清单) from a sales order and the seller's filed products, and the
 * CEB303 order from the sales order — pure functions, no I/O. What the order file cannot say
 * (weights, waybill number, second legal quantity) is left out and listed as a problem for the
 * seller or its agent to fill in before declaring.
 */
export interface Party {
  code: string;
  name: string;
}

/**
 * Trade modes (监管方式) a seller's order can be declared under as a CEB603 inventory: 9610 retail
 * parcels, 9710 B2B direct export, 9810 export to an overseas warehouse (the inventory an overseas
 * consignment later names). 1210 (bonded export) is not built from order files: its inventory
 * leaves a special customs zone and names the zone enterprise and its ledger (iacCode, emsNo),
 * which the zone operator's own CEB603 carries; clearance takes it like any other mode.
 */
export const TRADE_MODES = ['9610', '9710', '9810'] as const;
export type TradeMode = (typeof TRADE_MODES)[number];

export interface BuildParams {
  /** 申报海关 / 口岸海关: default 4006 南昌昌北机场海关 */
  customsCode: string;
  portCode: string;
  tradeMode: TradeMode;
  /** 5 air by default */
  trafMode: string;
  /** B: summary declaration (汇总申报, needed for tax refund); A: simplified */
  statisticsFlag: 'A' | 'B';
  /** port of destination; default the destination country's own entry of the port table */
  pod?: string;
  /** YYYYMMDD */
  ieDate: string;
  /** YYYYMMDDhhmmss */
  appTime: string;
}

export const DEFAULT_BUILD: Omit<BuildParams, 'ieDate' | 'appTime'> = {
  customsCode: '4006',
  portCode: '4006',
  tradeMode: '9610',
  trafMode: '5',
  statisticsFlag: 'B',
};

export interface OrderForBuild {
  orderNo: string;
  currency: string;
  freight: string;
  insuredFee: string;
  buyerCountry: string;
  trackingNo: string | null;
  grossWeight: string | null;
  netWeight: string | null;
  lines: SalesOrderLine[];
}

const bi = (zh: string, en: string): Bilingual => ({ zh, en });

/** Fields the order file may not carry, and what the user is told. */
const HEAD_NEEDS: readonly [string, Bilingual][] = [
  ['logisticsCode', bi('请选择物流企业', 'choose the carrier (logisticsCode)')],
  ['logisticsNo', bi('请填写物流运单号', 'fill in the waybill number (logisticsNo)')],
  ['grossWeight', bi('请填写毛重（千克）', 'fill in the gross weight (kg)')],
  ['netWeight', bi('请填写净重（千克）', 'fill in the net weight (kg)')],
];

export function buildInventory(input: {
  order: OrderForBuild;
  /** filed products by itemNo */
  products: ReadonlyMap<string, Product>;
  seller: Party;
  platform: Party;
  agent: Party;
  carrier: Party | null;
  params: BuildParams;
  guid: string;
  copNo: string;
}): { head: Record<string, string>; lines: Record<string, string>[]; problems: DraftProblem[] } {
  const { order, params } = input;
  const head: Record<string, string> = {
    guid: input.guid,
    appType: '1',
    appTime: params.appTime,
    appStatus: '2',
    customsCode: params.customsCode,
    ebpCode: input.platform.code,
    ebpName: input.platform.name,
    orderNo: order.orderNo,
    copNo: input.copNo,
    ieFlag: 'E',
    portCode: params.portCode,
    ieDate: params.ieDate,
    statisticsFlag: params.statisticsFlag,
    agentCode: input.agent.code,
    agentName: input.agent.name,
    ebcCode: input.seller.code,
    ebcName: input.seller.name,
    ownerCode: input.seller.code,
    ownerName: input.seller.name,
    tradeMode: params.tradeMode,
    trafMode: params.trafMode,
    country: order.buyerCountry,
    POD: params.pod ?? order.buyerCountry,
    freight: order.freight,
    fCurrency: order.currency,
    fFlag: '3',
    insuredFee: order.insuredFee,
    iCurrency: order.currency,
    iFlag: '3',
    wrapType: '2',
    packNo: '1',
  };
  if (input.carrier) {
    head.logisticsCode = input.carrier.code;
    head.logisticsName = input.carrier.name;
  }
  if (order.trackingNo) head.logisticsNo = order.trackingNo;
  if (order.grossWeight) head.grossWeight = order.grossWeight;
  if (order.netWeight) head.netWeight = order.netWeight;

  const lines = order.lines.map((l) => {
    const p = input.products.get(l.itemNo);
    const line: Record<string, string> = {
      gnum: String(l.gnum),
      itemNo: l.itemNo,
      itemName: (p?.gname ?? l.itemName).slice(0, 250),
      country: order.buyerCountry,
      currency: order.currency,
      qty: l.qty,
      price: l.price,
      totalPrice: l.totalPrice,
    };
    if (p) {
      line.gcode = p.hsCode;
      line.gname = p.gname;
      line.gmodel = p.gmodel;
      line.barCode = p.barcode || '无';
      line.unit = p.unit;
      line.unit1 = p.legalUnit1;
      // the first legal quantity is the quantity only when the units agree (facts §2.2: unit = unit1 ⇒ qty = qty1)
      if (p.unit === p.legalUnit1) line.qty1 = l.qty;
      if (p.legalUnit2) {
        line.unit2 = p.legalUnit2;
        if (p.unit === p.legalUnit2) line.qty2 = l.qty;
      }
    }
    return line;
  });
  return { head, lines, problems: checkDraft(head, lines) };
}

/** What still keeps a draft from being declared: missing fields first, then the CEB603 rules themselves. */
export function checkDraft(head: Record<string, string>, lines: readonly Record<string, string>[]): DraftProblem[] {
  const problems: DraftProblem[] = [];
  for (const [field, message] of HEAD_NEEDS) {
    if (!head[field]) problems.push({ field, rule: 'required', message });
  }
  lines.forEach((l, i) => {
    if (!l.gcode) {
      problems.push({
        field: `lines[${i}].itemNo`,
        rule: 'productNotFiled',
        message: bi(`商品 ${l.itemNo} 未备案`, `product ${l.itemNo} is not filed`),
      });
      return;
    }
    if (!l.qty1) {
      problems.push({
        field: `lines[${i}].qty1`,
        rule: 'required',
        message: bi(
          `商品 ${l.itemNo} 的计量单位与第一法定单位不同，请填写法定数量`,
          `${l.itemNo}: the unit differs from the first legal unit, fill in qty1`,
        ),
      });
    }
    if (l.unit2 && !l.qty2) {
      problems.push({
        field: `lines[${i}].qty2`,
        rule: 'required',
        message: bi(`商品 ${l.itemNo} 有第二法定单位，请填写第二法定数量`, `${l.itemNo}: fill in qty2 (second legal unit)`),
      });
    }
  });
  const gross = parseDecimal(head.grossWeight ?? '');
  const net = parseDecimal(head.netWeight ?? '');
  if (gross !== null && net !== null && net > gross) {
    problems.push({
      field: 'netWeight',
      rule: 'netWeight',
      message: bi('净重不能大于毛重', 'net weight must not exceed gross weight'),
    });
  }
  if (problems.length) return problems;
  // Complete as far as the order goes: the CEB603 rules decide the rest (types, lengths, code tables, arithmetic).
  const message: CebMessage = {
    messageType: 'CEB603',
    guid: head.guid ?? '',
    version: '1.0',
    entities: [{ head, lists: { InventoryList: [...lines] } }],
    baseTransfer: {
      copCode: head.agentCode ?? '',
      copName: head.agentName ?? '',
      dxpMode: 'DXP',
      dxpId: `DXPENT${head.agentCode ?? ''}`,
    },
  };
  return validateCeb(message).map((e) => ({
    field: e.field
      .replace(/^.*?Inventory\[\d+\]\/(InventoryHead\/)?/, '')
      .replace(/InventoryList\[(\d+)\]\//, (_m, n: string) => `lines[${Number(n) - 1}].`),
    rule: e.rule,
    message: e.message,
  }));
}

/** The CEB303 order of a sales order, as the seller declares it in third-party-marketplace mode. */
export function orderEntity(input: {
  order: OrderForBuild & { goodsValue: string };
  products: ReadonlyMap<string, Product>;
  seller: Party;
  platform: Party;
  guid: string;
  appTime: string;
}): CebEntity {
  const { order } = input;
  return {
    head: {
      guid: input.guid,
      appType: '1',
      appTime: input.appTime,
      appStatus: '2',
      orderType: 'E',
      orderNo: order.orderNo,
      ebpCode: input.platform.code,
      ebpName: input.platform.name,
      ebcCode: input.seller.code,
      ebcName: input.seller.name,
      goodsValue: order.goodsValue,
      freight: order.freight,
      currency: order.currency,
    },
    lists: {
      OrderList: order.lines.map((l) => ({
        gnum: String(l.gnum),
        itemNo: l.itemNo,
        itemName: (input.products.get(l.itemNo)?.gname ?? l.itemName).slice(0, 250),
        unit: input.products.get(l.itemNo)?.unit ?? '011',
        currency: order.currency,
        qty: l.qty,
        price: l.price,
        totalPrice: l.totalPrice,
      })),
    },
  };
}

/** `20261126103000` and `20261126` from a Date, in China time (UTC+8) as customs reads them. */
export function cebTimes(now: Date): { appTime: string; ieDate: string } {
  const t = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '');
  return { appTime: t.slice(0, 14), ieDate: t.slice(0, 8) };
}
