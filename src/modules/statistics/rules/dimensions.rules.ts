import type { Bilingual } from '../../../kernel/errors.ts';

/**
 * The dimensions statistics group by, as data: which cube answers and the SQL expression over
 * that cube's columns (whitelisted here, never taken from a request).
 */
export const DIMENSIONS = [
  'mode',
  'country',
  'hs_chapter',
  'hs_heading',
  'enterprise',
  'city',
  'county',
  'customs',
  'carrier',
  'month',
  'week',
  'day',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface DimensionDef {
  label: Bilingual;
  /** goods: only the goods cube (keyed by HS heading) can answer */
  goodsOnly: boolean;
  expr: string;
  /** how labels are found for keys */
  labels: 'trade-mode' | 'country' | 'hs' | 'organisation' | 'region' | 'customs' | 'none';
}

export const DIMENSION_DEFS: Readonly<Record<Dimension, DimensionDef>> = {
  mode: { label: { zh: '监管方式', en: 'Business mode' }, goodsOnly: false, expr: 'trade_mode', labels: 'trade-mode' },
  country: { label: { zh: '运抵国（地区）', en: 'Destination country' }, goodsOnly: false, expr: 'country', labels: 'country' },
  hs_chapter: { label: { zh: 'HS 章', en: 'HS chapter' }, goodsOnly: true, expr: 'left(hs_heading, 2)', labels: 'hs' },
  hs_heading: { label: { zh: 'HS 品目', en: 'HS heading' }, goodsOnly: true, expr: 'hs_heading', labels: 'hs' },
  enterprise: { label: { zh: '电商企业', en: 'Seller' }, goodsOnly: false, expr: 'ebc_code', labels: 'organisation' },
  city: { label: { zh: '卖家所在市', en: "Seller's city" }, goodsOnly: false, expr: 'left(region, 4)', labels: 'region' },
  county: { label: { zh: '卖家所在区县', en: "Seller's county" }, goodsOnly: false, expr: 'region', labels: 'region' },
  customs: { label: { zh: '申报海关', en: 'Customs office' }, goodsOnly: false, expr: 'customs_code', labels: 'customs' },
  carrier: { label: { zh: '物流企业', en: 'Carrier' }, goodsOnly: false, expr: 'carrier_code', labels: 'organisation' },
  month: { label: { zh: '月', en: 'Month' }, goodsOnly: false, expr: `to_char(day, 'YYYY-MM')`, labels: 'none' },
  week: { label: { zh: '周', en: 'Week' }, goodsOnly: false, expr: `to_char(day, 'IYYY-"W"IW')`, labels: 'none' },
  day: { label: { zh: '日', en: 'Day' }, goodsOnly: false, expr: `to_char(day, 'YYYY-MM-DD')`, labels: 'none' },
};

export const isDimension = (v: string): v is Dimension => (DIMENSIONS as readonly string[]).includes(v);

/** The metrics every table shows; their definitions are published in docs/metrics.md. */
export const METRICS = [
  { key: 'inventories', label: { zh: '清单票数', en: 'Inventories (parcels)' }, unit: 'count' },
  { key: 'valueCny', label: { zh: '货值（人民币元）', en: 'Goods value (CNY)' }, unit: 'CNY' },
  { key: 'valueUsd', label: { zh: '货值（美元）', en: 'Goods value (USD)' }, unit: 'USD' },
  { key: 'grossWeightKg', label: { zh: '毛重（千克）', en: 'Gross weight (kg)' }, unit: 'kg' },
] as const;
