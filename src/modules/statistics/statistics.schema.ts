import { Type, type Static, type TLiteral } from 'typebox';
import { DIMENSIONS, type Dimension } from './rules/dimensions.rules.ts';

const Code = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });

export const StatsQuery = Type.Object({
  by: Type.Union(DIMENSIONS.map((d) => Type.Literal(d)) as unknown as [TLiteral<Dimension>], {
    description: 'dimension to group by',
  }),
  from: Type.Optional(
    Type.String({ format: 'date', description: 'first closing day (China Standard Time), default 1 Jan this year' }),
  ),
  to: Type.Optional(Type.String({ format: 'date', description: 'last closing day, default today' })),
  mode: Type.Optional(Code(4, 'business mode (监管方式): 9610, 9710, 9810, 1210')),
  country: Type.Optional(Code(3, 'destination country (customs code)')),
  customs: Type.Optional(Code(4, 'customs office')),
  enterprise: Type.Optional(Code(18, "seller's customs code")),
  carrier: Type.Optional(Code(18, "carrier's customs code")),
  county: Type.Optional(Code(5, "seller's region (国内地区代码) or its first 4 digits (city)")),
  hs: Type.Optional(Type.String({ pattern: '^[0-9]{2}([0-9]{2})?$', description: 'HS chapter (2 digits) or heading (4)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
});
export type StatsQuery = Static<typeof StatsQuery>;

export const StatsRow = Type.Object({
  key: Type.String(),
  label: Type.String(),
  inventories: Type.Integer(),
  valueCny: Type.String({ description: 'CNY, 2 decimals' }),
  valueUsd: Type.String({ description: 'USD, 2 decimals' }),
  grossWeightKg: Type.String({ description: 'kg, 3 decimals' }),
});
export type StatsRow = Static<typeof StatsRow>;

export const StatsTable = Type.Object({
  by: Type.String(),
  title: Type.Object({ zh: Type.String(), en: Type.String() }),
  from: Type.String(),
  to: Type.String(),
  scope: Type.String({ description: 'all | jurisdiction:<prefix> | enterprise:<code>' }),
  rows: Type.Array(StatsRow),
  totals: StatsRow,
});
export type StatsTable = Static<typeof StatsTable>;

export const ExportQuery = Type.Intersect([
  Type.Omit(StatsQuery, ['by']),
  Type.Object({
    by: Type.Optional(Type.String({ maxLength: 200, description: 'comma-separated dimensions; default all' })),
    lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])),
  }),
]);
export type ExportQuery = Static<typeof ExportQuery>;

export const FxRate = Type.Object({
  currency: Type.String({ pattern: '^[0-9]{3}$', description: 'customs currency code, e.g. 502 (USD)' }),
  validFrom: Type.String({ format: 'date' }),
  cnyPerUnit: Type.String({ pattern: '^[0-9]{1,10}(\\.[0-9]{1,6})?$', description: 'CNY per one unit of the currency' }),
  source: Type.Optional(Type.String({ maxLength: 100 })),
});
export type FxRate = Static<typeof FxRate>;
