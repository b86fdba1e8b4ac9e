/**
 * The senders' side of the clearance benchmark: realistic parcels (issue #4) among many
 * sellers, platforms, payers and carriers, and their messages encoded as each party would send
 * them. Used by the parcel source worker and by the carrier in the main thread; the parties and
 * products are filed through the API before the clock starts (bench/bench-parties.ts).
 */
import { encodeCeb, type CebEntity, type CebMessage, type ExportMessageType } from '../src/ceb/index.ts';
import { hsElements } from '../src/codes/index.ts';
import { DEMO_PRODUCTS } from '../src/modules/filing/index.ts';
import { guidOf, message, parcelDocuments, PARTIES, siteMessages, type Parcel } from '../test/support/parcels.ts';

export interface BenchParty {
  code: string;
  name: string;
}

/** A product as filed (the fields the messages carry). */
export interface BenchProduct {
  itemNo: string;
  gname: string;
  gnameEn: string;
  hsCode: string;
  gmodel: string;
  unit: string;
  legalUnit1: string;
  referencePrice: string;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const CITIES = ['南昌', '景德镇', '赣州', '九江', '上饶', '宜春', '吉安', '抚州', '萍乡', '鹰潭', '新余'];

/** 20 sellers besides the demo one, 3 platforms, 2 carriers and 2 payers: deterministic, so the worker and the set-up agree. */
export const BENCH_SELLERS: BenchParty[] = [
  PARTIES.seller,
  ...range(20).map((i) => ({
    code: `3601269${pad(i, 3)}`,
    name: `${CITIES[i % CITIES.length]}跨境卖家${pad(i, 2)}号贸易有限公司`,
  })),
];
export const BENCH_PLATFORMS: BenchParty[] = [
  PARTIES.platform,
  ...range(3).map((i) => ({ code: `3601969${pad(i, 3)}`, name: `${CITIES[i]}云购跨境电商平台${i}号有限公司` })),
];
export const BENCH_PAYERS: BenchParty[] = [
  PARTIES.payer,
  ...range(2).map((i) => ({ code: `3101969${pad(i, 3)}`, name: `汇通${i}号跨境支付有限公司` })),
];
export const BENCH_CARRIERS: BenchParty[] = [
  PARTIES.carrier,
  ...range(2).map((i) => ({ code: `3601989${pad(i, 3)}`, name: `${CITIES[i + 3]}速达${i}号国际物流有限公司` })),
];

/** Kinds of goods the sellers file: real HS codes, declared and legal units, a base reference price (CNY). */
const GOODS = [
  { key: 'BOWL', hsCode: '6911101900', gname: '青花瓷碗', gnameEn: 'Porcelain bowl', unit: '011', price: 150 },
  { key: 'VASE', hsCode: '6913100000', gname: '青花瓷瓶', gnameEn: 'Porcelain vase', unit: '011', price: 800 },
  { key: 'MUG', hsCode: '6912001000', gname: '陶瓷马克杯', gnameEn: 'Ceramic mug', unit: '011', price: 45 },
  { key: 'BAG', hsCode: '4202220000', gname: '帆布手提包', gnameEn: 'Canvas handbag', unit: '011', price: 120 },
  { key: 'TEE', hsCode: '6109100021', gname: '纯棉针织T恤衫', gnameEn: 'Cotton knitted T-shirt', unit: '011', price: 60 },
  { key: 'KETTLE', hsCode: '8516719000', gname: '电热煮茶壶', gnameEn: 'Electric tea kettle', unit: '001', price: 260 },
  { key: 'TOY', hsCode: '9503008900', gname: '塑料积木玩具', gnameEn: 'Plastic building-block toy', unit: '011', price: 90 },
  { key: 'BAMBOO', hsCode: '4419190000', gname: '竹制餐具套装', gnameEn: 'Bamboo tableware set', unit: '011', price: 75 },
  { key: 'PHONE', hsCode: '8517130000', gname: '智能手机', gnameEn: 'Smartphone', unit: '001', price: 1500 },
  { key: 'SWEATER', hsCode: '6110200090', gname: '棉制针织套头衫', gnameEn: 'Cotton pullover', unit: '011', price: 110 },
  { key: 'EARBUD', hsCode: '8518300000', gname: '蓝牙耳机', gnameEn: 'Bluetooth earphones', unit: '007', price: 180 },
  { key: 'BASKET', hsCode: '4602191000', gname: '草编收纳篮', gnameEn: 'Straw storage basket', unit: '011', price: 55 },
] as const;

/** 规格型号: every declaration element of the HS code named with a value, as the filing rules ask. */
function gmodelOf(hsCode: string, brand: string, model: string): string {
  return hsElements(hsCode)
    .map((e) => {
      const v =
        e.element === '出口享惠情况'
          ? '0'
          : e.element === '品牌类型'
            ? '1'
            : e.element.startsWith('品牌')
              ? brand
              : e.element === '型号'
                ? model
                : '无';
      return `${e.element}：${v}`;
    })
    .join('|')
    .slice(0, 250);
}

/**
 * The products each seller files: five each (a parcel has up to five different lines). The demo
 * seller keeps its two demo products and files three more.
 */
function productsOf(s: number): BenchProduct[] {
  const code = BENCH_SELLERS[s]!.code;
  const demo: BenchProduct[] = DEMO_PRODUCTS.filter((p) => p.ebcCode === code).map((p) => ({
    itemNo: p.itemNo,
    gname: p.gname,
    gnameEn: p.gnameEn ?? p.gname,
    hsCode: p.hsCode,
    gmodel: p.gmodel,
    unit: p.unit,
    legalUnit1: p.legalUnit1,
    referencePrice: p.referencePrice,
  }));
  const filed = range(5 - demo.length).map((k) => {
    const g = GOODS[(s * 5 + k * 7) % GOODS.length]!;
    const itemNo = `S${pad(s, 2)}-${g.key}-${k}`;
    return {
      itemNo,
      gname: g.gname,
      gnameEn: g.gnameEn,
      hsCode: g.hsCode,
      gmodel: gmodelOf(g.hsCode, `赣品${pad(s, 2)}`, itemNo),
      unit: g.unit,
      legalUnit1: g.unit,
      // within ±20 % of the base: one HS code's prices stay close (the undervaluation rule compares with the median)
      referencePrice: String(Math.round(g.price * (0.8 + ((s * 3 + k) % 5) * 0.1))),
    };
  });
  return [...demo, ...filed];
}

export const SELLER_PRODUCTS: BenchProduct[][] = BENCH_SELLERS.map((_, s) => productsOf(s));
/** The products each seller must file through the API (not already in the demo seed). */
export const PRODUCTS_TO_FILE: BenchProduct[][] = SELLER_PRODUCTS.map((ps) =>
  ps.filter((p) => !DEMO_PRODUCTS.some((d) => d.itemNo === p.itemNo)),
);

const DESTINATIONS = ['502', '502', '502', '303', '304', '116', '601', '132'];
/** Lines per parcel: 55 % one, 20 % two, 12 % three, 8 % four, 5 % five. */
const LINE_CUTS = [55, 75, 87, 95, 100];

/** A stable pseudo-random number in [0, 1e6) from the parcel number and a salt. */
function mix(n: number, salt: number): number {
  let x = (n * 2654435761 + salt * 40503) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) % 1_000_000;
}

export interface BenchParcel extends Parcel {
  platform: BenchParty;
  payer: BenchParty;
  carrier: BenchParty;
  seller: BenchParty;
}

/**
 * Parcel n (1-based), the same on every call: everything follows from n, so the carrier rebuilds
 * it from its order number (P-ORD-<n>). Each block of 100 parcels has one platform, payer and
 * carrier (a message is 100 entities from one sender); the seller varies per parcel.
 */
export function makeBenchParcel(n: number): BenchParcel {
  const block = Math.floor((n - 1) / 100);
  const platform = BENCH_PLATFORMS[block % BENCH_PLATFORMS.length]!;
  const payer = BENCH_PAYERS[block % BENCH_PAYERS.length]!;
  const carrier = BENCH_CARRIERS[block % BENCH_CARRIERS.length]!;
  const s = mix(n, 1) % BENCH_SELLERS.length;
  const seller = BENCH_SELLERS[s]!;
  const products = SELLER_PRODUCTS[s]!;
  const pct = mix(n, 2) % 100;
  const lineCount = LINE_CUTS.findIndex((c) => pct < c) + 1;
  const first = mix(n, 3) % products.length;
  const country = DESTINATIONS[mix(n, 4) % DESTINATIONS.length]!;
  const lines = range(lineCount).map((i) => {
    const p = products[(first + i - 1) % products.length]!;
    return { p, qty: 1 + (mix(n, 10 + i) % 3) };
  });
  const parcel = parcelDocuments(n, 'P', {
    platform,
    seller,
    payer,
    carrier,
    lines,
    country,
    goodsInfo: lines
      .map((l) => l.p.gname)
      .join('、')
      .slice(0, 200),
  });
  return { ...parcel, platform, payer, carrier, seller };
}

export function jsonBody(m: CebMessage): { guid: string; items: Record<string, unknown>[] } {
  return {
    guid: m.guid,
    items: m.entities.map((e) => {
      const lines = Object.values(e.lists)[0];
      return lines ? { ...e.head, lines } : { ...e.head };
    }),
  };
}

/** The four parcel messages of a block of ≤ 100 parcels, each with the customs code of its sender. */
export function parcelMessages(block: number, parcels: BenchParcel[]): { sender: string; message: CebMessage }[] {
  const p0 = parcels[0]!;
  const out = (type: ExportMessageType, prefix: number, from: BenchParty, pick: (p: Parcel) => CebEntity) => ({
    sender: from.code,
    message: message(type, guidOf(prefix, block), from, parcels.map(pick)),
  });
  return [
    out('CEB303', 3030, p0.platform, (p) => p.order),
    out('CEB403', 4030, p0.payer, (p) => p.payment),
    out('CEB505', 5050, p0.carrier, (p) => p.waybill),
    out('CEB603', 6030, PARTIES.broker, (p) => p.inventory),
  ];
}

/** Parcels of block b (0-based): 100 each, the last one shorter; the same on every call. */
export function blockParcels(b: number, total: number): BenchParcel[] {
  return Array.from({ length: Math.min(100, total - b * 100) }, (_, i) => makeBenchParcel(b * 100 + i + 1));
}

/**
 * One flight of ≤ 100 parcels of one carrier: the warehouse's arrival, the broker's total-sub
 * bill and the carrier's departure, each naming that carrier, with its sender's customs code.
 */
export function flightMessages(batch: number, parcels: BenchParcel[]): { sender: string; message: CebMessage }[] {
  const carrier = parcels[0]!.carrier;
  const s = siteMessages(batch, parcels, 'P');
  const named = (m: CebMessage, from: BenchParty): CebMessage =>
    message(
      m.messageType as ExportMessageType,
      m.guid,
      from,
      m.entities.map((e) => ({ ...e, head: { ...e.head, logisticsCode: carrier.code, logisticsName: carrier.name } })),
    );
  return [
    { sender: PARTIES.warehouse.code, message: named(s.arrival, PARTIES.warehouse) },
    { sender: PARTIES.broker.code, message: named(s.consolidation, PARTIES.broker) },
    { sender: carrier.code, message: named(s.departure, carrier) },
  ];
}

/** A message as sent: CEB XML, or the JSON batch of its REST resource. */
export function encodeForWire(m: CebMessage, format: 'xml' | 'json'): string {
  return format === 'xml' ? encodeCeb(m) : JSON.stringify(jsonBody(m));
}
