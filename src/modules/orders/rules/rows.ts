import type { Bilingual } from '../../../kernel/errors.ts';
import { LAYOUTS, normaliseHeader, ORDER_FIELDS, type Layout, type LayoutId, type OrderField } from './layouts.ts';
import { countryCode, currencyCode, divDecimal, formatDecimal, mulDecimal, parseDecimal, SCALE, splitMoney } from './values.ts';

/** One problem with one cell of an order file: the row as the spreadsheet numbers it, the column as its header says. */
export interface RowProblem {
  row: number;
  column: string;
  rule: string;
  message: Bilingual;
  value?: string;
}

export interface ColumnMap {
  layout: Layout;
  /** field → cell index */
  fields: Map<OrderField, number>;
  /** composite field → cell indexes, joined */
  composite: Map<OrderField, number[]>;
  /** the header text per cell index, for error messages */
  header: readonly string[];
}

export interface ParsedLine {
  row: number;
  itemNo: string;
  itemName: string;
  qty: string;
  price: string;
  totalPrice: string;
}

export interface ParsedOrder {
  row: number;
  orderNo: string;
  currency: string;
  goodsValue: string;
  freight: string;
  insuredFee: string;
  buyerName: string;
  buyerCountry: string;
  buyerAddress: string;
  buyerPhone: string;
  trackingNo: string | null;
  grossWeight: string | null;
  netWeight: string | null;
  lines: ParsedLine[];
}

export const MAX_LINES_PER_ORDER = 100;
const MAX = { orderNo: 60, itemNo: 20, itemName: 250, text: 250, trackingNo: 80 } as const;

const bi = (zh: string, en: string): Bilingual => ({ zh, en });

/** A header cell matches a name when they, or one of their "/"-separated halves ("订单号/Order No"), agree. */
function headerMatches(cell: string, names: readonly string[]): boolean {
  const keys = new Set([cell, ...cell.split(/[/|\n]/)].map(normaliseHeader).filter(Boolean));
  return names.some((n) => [n, ...n.split('/')].map(normaliseHeader).some((k) => k !== '' && keys.has(k)));
}

function mapColumns(layout: Layout, header: readonly string[]): ColumnMap {
  const fields = new Map<OrderField, number>();
  const composite = new Map<OrderField, number[]>();
  for (const f of ORDER_FIELDS) {
    const names = layout.columns[f];
    if (!names) continue;
    // The first name that is present wins: "Order Number" before "Sales Record Number".
    for (const n of names) {
      const i = header.findIndex((h) => headerMatches(h, [n]));
      if (i >= 0) {
        fields.set(f, i);
        break;
      }
    }
  }
  for (const [f, parts] of Object.entries(layout.composite ?? {}) as [OrderField, readonly (readonly string[])[]][]) {
    const idx = parts.map((names) => header.findIndex((h) => headerMatches(h, names))).filter((i) => i >= 0);
    if (idx.length) composite.set(f, idx);
  }
  return { layout, fields, composite, header };
}

const missingRequired = (m: ColumnMap): OrderField[] => m.layout.required.filter((f) => !m.fields.has(f));

/**
 * Which layout a header row is: the named one, or the layout all of whose required columns are
 * present, preferring the one that recognises most columns. Answers the problems otherwise.
 */
export function detectLayout(
  header: readonly string[],
  headerRow: number,
  wanted?: LayoutId,
): { map: ColumnMap; problems: [] } | { map: null; problems: RowProblem[] } {
  const candidates = LAYOUTS.filter((l) => !wanted || l.id === wanted).map((l) => mapColumns(l, header));
  const complete = candidates
    .filter((m) => missingRequired(m).length === 0)
    .sort((a, b) => b.fields.size + b.composite.size - (a.fields.size + a.composite.size));
  if (complete[0]) return { map: complete[0], problems: [] };
  if (wanted && candidates[0]) {
    const m = candidates[0];
    return {
      map: null,
      problems: missingRequired(m).map((f) => ({
        row: headerRow,
        column: m.layout.columns[f]?.[0] ?? f,
        rule: 'missingColumn',
        message: bi(
          `${m.layout.name.zh}缺少必需的列“${m.layout.columns[f]?.[0] ?? f}”`,
          `the ${m.layout.name.en} needs the column "${m.layout.columns[f]?.[0] ?? f}"`,
        ),
      })),
    };
  }
  return {
    map: null,
    problems: [
      {
        row: headerRow,
        column: '',
        rule: 'unknownLayout',
        message: bi(
          `无法识别文件格式：表头须为速卖通、eBay 订单导出或通用模板的列名（${LAYOUTS.map((l) => l.id).join('、')}）`,
          `unknown file layout: the header must be an AliExpress or eBay order export or the generic template (${LAYOUTS.map((l) => l.id).join(', ')})`,
        ),
        value: header.filter(Boolean).slice(0, 8).join(', '),
      },
    ],
  };
}

/** Is this row a header candidate: does any layout recognise its order-number column? */
export function looksLikeHeader(cells: readonly string[]): boolean {
  return LAYOUTS.some((l) => cells.some((c) => headerMatches(c, l.columns.orderNo ?? [])));
}

const isBlank = (cells: readonly string[]): boolean => cells.every((c) => c.trim() === '');

/**
 * Collects the data rows of one file into orders: rows with the same order number are the lines
 * of one order (wherever they stand). Every bad cell is a problem naming row, column and rule; an
 * order with any bad row is rejected whole.
 */
export function createOrderAssembler(map: ColumnMap) {
  const orders = new Map<string, ParsedOrder>();
  const bad = new Set<string>();
  const problems: RowProblem[] = [];
  let orphanRows = 0;
  let dataRows = 0;

  const col = (f: OrderField): string => {
    const i = map.fields.get(f) ?? map.composite.get(f)?.[0];
    return i === undefined ? (map.layout.columns[f]?.[0] ?? f) : (map.header[i] ?? f);
  };
  const cell = (cells: readonly string[], f: OrderField): string => {
    const i = map.fields.get(f);
    if (i !== undefined) return (cells[i] ?? '').trim();
    const parts = map.composite.get(f);
    return parts
      ? parts
          .map((j) => (cells[j] ?? '').trim())
          .filter(Boolean)
          .join(', ')
      : '';
  };

  return {
    get dataRows() {
      return dataRows;
    },
    /** The column a field is read from, as the file's header names it (for problems found after parsing). */
    column: col,
    add(cells: readonly string[], row: number): void {
      if (isBlank(cells)) return;
      const first = cells.find((c) => c.trim() !== '')?.trim() ?? '';
      if (map.layout.footer?.some((re) => re.test(first))) return;
      dataRows++;
      const rowProblems: RowProblem[] = [];
      const problem = (f: OrderField, rule: string, message: Bilingual, value?: string) =>
        rowProblems.push({ row, column: col(f), rule, message, ...(value !== undefined ? { value } : {}) });

      const orderNo = cell(cells, 'orderNo');
      if (!orderNo) {
        problem('orderNo', 'required', bi('订单号不能为空', 'the order number is missing'));
        problems.push(...rowProblems);
        orphanRows++;
        return;
      }
      if (orderNo.length > MAX.orderNo) {
        problem(
          'orderNo',
          'maxLength',
          bi(`订单号不能超过 ${MAX.orderNo} 个字符`, `order number longer than ${MAX.orderNo}`),
          orderNo,
        );
      }

      // money cells may carry the currency ("US $12.99"); a currency column wins, and must agree
      const priceCell = splitMoney(cell(cells, 'price'));
      const totalCell = splitMoney(cell(cells, 'lineTotal'));
      const freightCell = splitMoney(cell(cells, 'freight'));
      const currencyRaw = cell(cells, 'currency') || priceCell.iso || totalCell.iso || freightCell.iso || '';
      let currency: string | undefined;
      if (currencyRaw) {
        currency = currencyCode(currencyRaw);
        if (!currency) {
          problem(
            'currency',
            'codeTable',
            bi(`币制“${currencyRaw}”不在币制代码表中`, `currency "${currencyRaw}" is not in the currency table`),
            currencyRaw,
          );
        }
      }

      const countryRaw = cell(cells, 'buyerCountry');
      let country: string | undefined;
      if (countryRaw) {
        country = countryCode(countryRaw);
        if (!country) {
          problem(
            'buyerCountry',
            'codeTable',
            bi(`国家“${countryRaw}”不在国别代码表中`, `country "${countryRaw}" is not in the country table`),
            countryRaw,
          );
        }
      }

      const number = (f: OrderField, raw: string, opts: { positive: boolean }): bigint | null => {
        if (raw === '') return null;
        const v = parseDecimal(raw);
        if (v === null) {
          problem(f, 'number', bi(`“${raw}”不是有效数字（最多 5 位小数）`, `"${raw}" is not a number (at most 5 decimals)`), raw);
          return null;
        }
        if (opts.positive ? v <= 0n : v < 0n) {
          problem(
            f,
            opts.positive ? 'positive' : 'nonNegative',
            bi('数值须大于 0', opts.positive ? 'must be greater than 0' : 'must not be negative'),
            raw,
          );
          return null;
        }
        return v;
      };

      const itemNo = cell(cells, 'itemNo');
      const qtyRaw = cell(cells, 'qty');
      // an order row without a line (eBay prints one above the lines of a multi-item order)
      const summaryRow = !itemNo && !qtyRaw;
      let line: ParsedLine | null = null;
      if (!summaryRow) {
        if (!itemNo) problem('itemNo', 'required', bi('商品货号（SKU）不能为空', 'the SKU is missing'));
        else if (itemNo.length > MAX.itemNo) {
          problem('itemNo', 'maxLength', bi(`商品货号不能超过 ${MAX.itemNo} 个字符`, `SKU longer than ${MAX.itemNo}`), itemNo);
        }
        if (!qtyRaw) problem('qty', 'required', bi('数量不能为空', 'the quantity is missing'));
        const qty = number('qty', qtyRaw, { positive: true });
        let price = number('price', priceCell.amount, { positive: true });
        const total = number('lineTotal', totalCell.amount, { positive: true });
        if (priceCell.amount === '' && totalCell.amount === '') {
          problem('price', 'required', bi('单价不能为空', 'the unit price is missing'));
        }
        if (qty !== null && price === null && total !== null) price = divDecimal(total, qty);
        if (qty !== null && price !== null && total !== null) {
          const diff = mulDecimal(qty, price) - total;
          if (diff > SCALE / 100n || diff < -SCALE / 100n) {
            problem(
              'lineTotal',
              'arithmetic',
              bi(
                `总价须等于数量 × 单价（${formatDecimal(mulDecimal(qty, price))}）`,
                `line total must equal qty × price (${formatDecimal(mulDecimal(qty, price))})`,
              ),
              totalCell.amount,
            );
          }
        }
        const itemName = cell(cells, 'itemName').slice(0, MAX.itemName) || itemNo;
        if (qty !== null && price !== null && itemNo) {
          line = {
            row,
            itemNo,
            itemName,
            qty: formatDecimal(qty),
            price: formatDecimal(price),
            totalPrice: formatDecimal(mulDecimal(qty, price)),
          };
        }
      }

      const freight = number('freight', freightCell.amount, { positive: false });
      const insured = number('insuredFee', splitMoney(cell(cells, 'insuredFee')).amount, { positive: false });
      const gross = number('grossWeight', cell(cells, 'grossWeight'), { positive: true });
      const net = number('netWeight', cell(cells, 'netWeight'), { positive: true });
      if (gross !== null && net !== null && net > gross) {
        problem(
          'netWeight',
          'netWeight',
          bi('净重不能大于毛重', 'net weight must not exceed gross weight'),
          cell(cells, 'netWeight'),
        );
      }
      const trackingNo = cell(cells, 'trackingNo');
      if (trackingNo.length > MAX.trackingNo) {
        problem(
          'trackingNo',
          'maxLength',
          bi(`物流单号不能超过 ${MAX.trackingNo} 个字符`, `tracking number longer than ${MAX.trackingNo}`),
          trackingNo,
        );
      }

      let order = orders.get(orderNo);
      if (!order) {
        order = {
          row,
          orderNo,
          currency: currency ?? '',
          goodsValue: '0',
          freight: '0',
          insuredFee: '0',
          buyerName: cell(cells, 'buyerName').slice(0, MAX.text),
          buyerCountry: country ?? '',
          buyerAddress: cell(cells, 'buyerAddress').slice(0, 500),
          buyerPhone: cell(cells, 'buyerPhone').slice(0, 50),
          trackingNo: null,
          grossWeight: null,
          netWeight: null,
          lines: [],
        };
        orders.set(orderNo, order);
      }
      // order-level values: the first row that has one; a later row must not contradict it
      const agree = (f: OrderField, key: 'currency' | 'buyerCountry', v: string | undefined) => {
        if (!v) return;
        if (!order[key]) order[key] = v;
        else if (order[key] !== v) {
          problem(
            f,
            'orderConsistency',
            bi(`同一订单的各行${f === 'currency' ? '币制' : '国家'}不一致`, `rows of one order disagree on ${f}`),
            v,
          );
        }
      };
      agree('currency', 'currency', currency);
      agree('buyerCountry', 'buyerCountry', country);
      if (!order.buyerName) order.buyerName = cell(cells, 'buyerName').slice(0, MAX.text);
      if (!order.buyerAddress) order.buyerAddress = cell(cells, 'buyerAddress').slice(0, 500);
      if (!order.buyerPhone) order.buyerPhone = cell(cells, 'buyerPhone').slice(0, 50);
      if (freight !== null && order.freight === '0') order.freight = formatDecimal(freight);
      if (insured !== null && order.insuredFee === '0') order.insuredFee = formatDecimal(insured);
      if (trackingNo && !order.trackingNo) order.trackingNo = trackingNo;
      if (gross !== null && !order.grossWeight) order.grossWeight = formatDecimal(gross);
      if (net !== null && !order.netWeight) order.netWeight = formatDecimal(net);
      if (line) order.lines.push(line);
      if (order.lines.length > MAX_LINES_PER_ORDER) {
        problem(
          'itemNo',
          'maxLines',
          bi(`一个订单最多 ${MAX_LINES_PER_ORDER} 行商品`, `an order has at most ${MAX_LINES_PER_ORDER} lines`),
        );
      }
      if (rowProblems.length) {
        problems.push(...rowProblems);
        bad.add(orderNo);
      }
    },

    /** Good orders (every line parsed, totals computed) and every problem, orders missing fields included. */
    finish(): { orders: ParsedOrder[]; problems: RowProblem[]; rejected: number } {
      for (const o of orders.values()) {
        if (bad.has(o.orderNo)) continue;
        const orderProblem = (f: OrderField, rule: string, message: Bilingual) => {
          problems.push({ row: o.row, column: col(f), rule, message, value: o.orderNo });
          bad.add(o.orderNo);
        };
        if (o.lines.length === 0)
          orderProblem('itemNo', 'required', bi(`订单 ${o.orderNo} 没有商品行`, `order ${o.orderNo} has no lines`));
        if (!o.currency)
          orderProblem('currency', 'required', bi(`订单 ${o.orderNo} 没有币制`, `order ${o.orderNo} has no currency`));
        if (!o.buyerCountry)
          orderProblem(
            'buyerCountry',
            'required',
            bi(`订单 ${o.orderNo} 没有买家国家`, `order ${o.orderNo} has no buyer country`),
          );
        let sum = 0n;
        for (const l of o.lines) sum += parseDecimal(l.totalPrice) ?? 0n;
        o.goodsValue = formatDecimal(sum);
      }
      problems.sort((a, b) => a.row - b.row);
      return { orders: [...orders.values()].filter((o) => !bad.has(o.orderNo)), problems, rejected: bad.size + orphanRows };
    },
  };
}

export type OrderAssembler = ReturnType<typeof createOrderAssembler>;
