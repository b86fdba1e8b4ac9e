import { Type, type Static } from 'typebox';
import { GENERIC_TEMPLATE_HEADER, ORDER_FIELDS, type OrderField } from './layouts.ts';

const Num = Type.Union([Type.String({ maxLength: 30 }), Type.Number()]);

/** An order pushed by API: the generic template's fields, lines nested. */
export const ApiOrder = Type.Object(
  {
    orderNo: Type.String({ minLength: 1, maxLength: 60 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    buyerCountry: Type.String({ minLength: 2, maxLength: 60 }),
    buyerName: Type.Optional(Type.String({ maxLength: 100 })),
    buyerAddress: Type.Optional(Type.String({ maxLength: 500 })),
    buyerPhone: Type.Optional(Type.String({ maxLength: 50 })),
    freight: Type.Optional(Num),
    insuredFee: Type.Optional(Num),
    trackingNo: Type.Optional(Type.String({ maxLength: 80 })),
    grossWeight: Type.Optional(Num),
    netWeight: Type.Optional(Num),
    lines: Type.Array(
      Type.Object(
        {
          itemNo: Type.String({ minLength: 1, maxLength: 30 }),
          itemName: Type.Optional(Type.String({ maxLength: 250 })),
          qty: Num,
          price: Num,
          lineTotal: Type.Optional(Num),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);
export type ApiOrder = Static<typeof ApiOrder>;

/**
 * Pushed orders become rows of the generic template, so a file and a request pass the very same
 * checks: row 1 is the header, row n + 1 the n-th line of the request.
 */
export async function* apiRows(orders: readonly ApiOrder[]): AsyncGenerator<{ row: number; cells: string[] }> {
  yield { row: 1, cells: [...GENERIC_TEMPLATE_HEADER] };
  let row = 1;
  for (const o of orders) {
    for (const l of o.lines) {
      const values: Partial<Record<OrderField, unknown>> = { ...o, ...l };
      yield { row: ++row, cells: ORDER_FIELDS.map((f) => (values[f] === undefined ? '' : String(values[f]))) };
    }
  }
}
