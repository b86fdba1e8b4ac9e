import { apiRows, type ApiOrder } from './rules/api-orders.ts';
import type { Readable } from 'node:stream';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type Bilingual } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { filingLookup, productKey } from '../filing/index.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { readRows, tooManyRows, FILE_LIMITS, type FileKind } from './orders.files.ts';
import { createOrdersRepository } from './orders.repository.ts';
import type { SalesOrderStatus } from './orders.states.ts';
import type { SalesOrderRow } from './orders.tables.ts';
import type { LayoutId, OrderField } from './rules/layouts.ts';
import {
  createOrderAssembler,
  detectLayout,
  looksLikeHeader,
  type OrderAssembler,
  type ParsedOrder,
  type RowProblem,
} from './rules/rows.ts';
import { formatDecimal, parseDecimal } from './rules/values.ts';

const SALES_ORDER: Bilingual = { zh: '销售订单', en: 'sales order' };
const bi = (zh: string, en: string): Bilingual => ({ zh, en });

export interface SalesOrder {
  id: string;
  orderNo: string;
  platformCode: string;
  platformName: string;
  marketplace: string;
  ebcCode: string;
  buyerName: string;
  buyerCountry: string;
  buyerAddress: string;
  buyerPhone: string;
  currency: string;
  goodsValue: string;
  freight: string;
  insuredFee: string;
  trackingNo: string | null;
  grossWeight: string | null;
  netWeight: string | null;
  lines: { gnum: number; itemNo: string; itemName: string; qty: string; price: string; totalPrice: string }[];
  status: SalesOrderStatus;
  orderDocumentId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ImportResult {
  imported: number;
  rejected: number;
  layout: string;
  errors: RowProblem[];
  orders: { id: string; orderNo: string }[];
}

/** numeric comes back as "150.00000": shown as "150". */
export const decimal = (v: string | null): string | null => (v === null ? null : formatDecimal(parseDecimal(v) ?? 0n));

export function toSalesOrder(r: SalesOrderRow): SalesOrder {
  return {
    id: r.id,
    orderNo: r.order_no,
    platformCode: r.platform_code,
    platformName: r.platform_name,
    marketplace: r.marketplace,
    ebcCode: r.ebc_code,
    buyerName: r.buyer_name,
    buyerCountry: r.buyer_country,
    buyerAddress: r.buyer_address,
    buyerPhone: r.buyer_phone,
    currency: r.currency,
    goodsValue: decimal(r.goods_value) ?? '0',
    freight: decimal(r.freight) ?? '0',
    insuredFee: decimal(r.insured_fee) ?? '0',
    trackingNo: r.tracking_no,
    grossWeight: decimal(r.gross_weight),
    netWeight: decimal(r.net_weight),
    lines: r.lines,
    status: r.status,
    orderDocumentId: r.order_document_id,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** The audit keeps what the seller did, not whom it sold to: buyer personal data stays out. */
const auditView = (o: SalesOrder) => ({
  id: o.id,
  orderNo: o.orderNo,
  platformCode: o.platformCode,
  marketplace: o.marketplace,
  currency: o.currency,
  goodsValue: o.goodsValue,
  lines: o.lines.length,
  status: o.status,
});

export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof v.id === 'string') return { id: v.id };
  } catch {
    // fall through
  }
  throw validationError([{ field: 'cursor', rule: 'format', message: bi('游标无效', 'invalid cursor') }]);
}

export const clampLimit = (n: number | undefined): number => Math.min(Math.max(n ?? 50, 1), 200);

/** The enterprise the caller acts for; agencies and the operator have no orders. */
export function enterpriseOf(p: Principal): NonNullable<Principal['organisation']> {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise') throw forbidden();
  return org;
}

/** The seller (ebc) the caller acts for, with its customs code. */
export function sellerOf(p: Principal): { id: string; code: string; name: string } {
  const org = enterpriseOf(p);
  if (!org.roles.includes('ebc') || !org.code) {
    throw new DomainError('orders.forbidden', bi('只有电商企业（ebc）可以导入订单', 'only a seller (ebc) imports orders'));
  }
  return { id: org.id, code: org.code, name: org.name };
}

export type OrdersService = ReturnType<typeof createOrdersService>;

export function createOrdersService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;

  /** The platform the orders were sold on: an organisation known by that customs code. */
  async function platformOf(code: string): Promise<{ code: string; name: string }> {
    const [org] = await organisationDirectory(db).byCodes([code]);
    if (!org || org.kind !== 'enterprise') {
      throw validationError([
        {
          field: 'platformCode',
          rule: 'organisation',
          message: bi(`${code} 不是已登记企业的海关代码`, `${code} is not the customs code of a registered enterprise`),
          value: code,
        },
      ]);
    }
    return { code, name: org.name };
  }

  /** Reads the file into parsed orders: the header row is the first that names an order-number column. */
  async function parseRows(rows: AsyncIterable<{ row: number; cells: string[] }>, layout: LayoutId | undefined) {
    let assembler: OrderAssembler | null = null;
    let layoutId = '';
    const headerProblems: RowProblem[] = [];
    let scanned = 0;
    for await (const { row, cells } of rows) {
      if (!assembler) {
        if (++scanned > 20 || !looksLikeHeader(cells)) {
          if (scanned > 20) break;
          continue;
        }
        const found = detectLayout(cells, row, layout);
        if (!found.map) {
          headerProblems.push(...found.problems);
          break;
        }
        assembler = createOrderAssembler(found.map);
        layoutId = found.map.layout.id;
        continue;
      }
      assembler.add(cells, row);
      if (assembler.dataRows > FILE_LIMITS.maxRows) throw tooManyRows();
    }
    if (!assembler) {
      const problems = headerProblems.length
        ? headerProblems
        : [
            {
              row: 1,
              column: '',
              rule: 'unknownLayout',
              message: bi('文件中找不到订单表头（订单号列）', 'no order header row (order number column) found in the file'),
            },
          ];
      throw new DomainError('orders.validation', bi('无法识别订单文件', 'the order file is not recognised'), {
        imported: 0,
        rejected: 0,
        errors: problems.map(asFieldProblem),
      });
    }
    return { layoutId, column: assembler.column, ...assembler.finish() };
  }

  const asFieldProblem = (e: RowProblem) => ({ field: `row ${e.row}${e.column ? `: ${e.column}` : ''}`, ...e });

  async function storeParsed(
    p: Principal,
    platformCode: string,
    partial: boolean,
    parse: () => ReturnType<typeof parseRows>,
    marketplace: SalesOrderRow['marketplace'] | null,
  ): Promise<ImportResult> {
    {
      const input = { partial };
      const seller = sellerOf(p);
      const platform = await platformOf(platformCode);
      const parsed = await parse();
      const problems = [...parsed.problems];
      const bad = new Set<string>();
      // A file's problems name its own column headers (as the spreadsheet shows them); the API's, its field names.
      const columnOf = (f: OrderField): string => (marketplace === 'api' ? f : parsed.column(f));

      // Filed products of this seller, and orders already imported: one statement each.
      const lookup = filingLookup(db);
      const products = await lookup.filedProducts(
        parsed.orders.flatMap((o) => o.lines.map((l) => ({ ebcCode: seller.code, itemNo: l.itemNo }))),
      );
      const repo = createOrdersRepository(db);
      const existing = new Set(
        await repo.existingOrderNos(
          seller.id,
          platform.code,
          parsed.orders.map((o) => o.orderNo),
        ),
      );
      for (const o of parsed.orders) {
        if (existing.has(o.orderNo)) {
          problems.push({
            row: o.row,
            column: columnOf('orderNo'),
            rule: 'duplicate',
            message: bi(
              `订单 ${o.orderNo} 已导入（平台 ${platform.code}）`,
              `order ${o.orderNo} is already imported (platform ${platform.code})`,
            ),
            value: o.orderNo,
          });
          bad.add(o.orderNo);
        }
        for (const l of o.lines) {
          if (!products.has(productKey(seller.code, l.itemNo))) {
            problems.push({
              row: l.row,
              column: columnOf('itemNo'),
              rule: 'productNotFiled',
              message: bi(`商品货号 ${l.itemNo} 未备案（或未审核通过）`, `SKU ${l.itemNo} is not a filed (approved) product`),
              value: l.itemNo,
            });
            bad.add(o.orderNo);
          }
        }
      }
      problems.sort((a, b) => a.row - b.row);
      const good: ParsedOrder[] = parsed.orders.filter((o) => !bad.has(o.orderNo));
      const rejected = parsed.rejected + bad.size;
      if (problems.length && (!input.partial || good.length === 0)) {
        throw new DomainError(
          'orders.validation',
          bi(
            `订单文件有 ${problems.length} 处错误，未导入任何订单${input.partial ? '' : '（可用 partial=1 只导入正确的订单）'}`,
            `the order file has ${problems.length} error(s); nothing was imported${input.partial ? '' : ' (partial=1 imports the good orders)'}`,
          ),
          { imported: 0, rejected, layout: parsed.layoutId, errors: problems.map(asFieldProblem) },
        );
      }
      const now = clock.now();
      const rows = good.map((o) => ({
        id: newId(),
        seller_org_id: seller.id,
        ebc_code: seller.code,
        platform_code: platform.code,
        platform_name: platform.name,
        marketplace: marketplace ?? (parsed.layoutId as SalesOrderRow['marketplace']),
        order_no: o.orderNo,
        buyer_name: o.buyerName,
        buyer_country: o.buyerCountry,
        buyer_address: o.buyerAddress,
        buyer_phone: o.buyerPhone,
        currency: o.currency,
        goods_value: o.goodsValue,
        freight: o.freight,
        insured_fee: o.insuredFee,
        tracking_no: o.trackingNo,
        gross_weight: o.grossWeight,
        net_weight: o.netWeight,
        lines: o.lines.map((l, i) => ({
          gnum: i + 1,
          itemNo: l.itemNo,
          itemName: l.itemName,
          qty: l.qty,
          price: l.price,
          totalPrice: l.totalPrice,
        })),
        status: 'imported' as const,
        order_document_id: null,
        source_row: o.row,
      }));
      const stored = await db.transaction().execute(async (trx) => {
        let ins: { id: string; order_no: string }[];
        try {
          ins = await createOrdersRepository(trx).insertOrders(rows, now);
        } catch (e) {
          if ((e as { code?: unknown }).code === '23505') {
            throw new DomainError(
              'orders.duplicate',
              bi('订单已被另一次导入写入', 'an order was imported by another upload meanwhile'),
            );
          }
          throw e;
        }
        await audit.append(trx, actorOf(p), [
          {
            action: 'sales_order.import',
            entity: 'sales_order',
            entityId: ins[0]?.id ?? seller.id,
            after: {
              layout: parsed.layoutId,
              platformCode: platform.code,
              imported: ins.length,
              rejected,
              orderNos: ins.map((o) => o.order_no),
            },
          },
        ]);
        return ins;
      });
      return {
        imported: stored.length,
        rejected,
        layout: parsed.layoutId,
        errors: problems,
        orders: stored.map((o) => ({ id: o.id, orderNo: o.order_no })),
      };
    }
  }

  return {
    /**
     * One order file of the seller: parsed and checked whole (every bad cell reported), then all
     * orders stored in one INSERT — or, with `partial`, the good orders stored and the bad ones reported.
     */
    async importFile(
      p: Principal | null,
      input: { body: Readable; kind: FileKind; layout?: LayoutId; platformCode: string; partial: boolean },
    ): Promise<ImportResult> {
      requirePermission(p, 'orders.import');
      return storeParsed(
        p,
        input.platformCode,
        input.partial,
        () => parseRows(readRows(input.body, input.kind), input.layout),
        null,
      );
    },

    /**
     * Orders pushed by API (JSON): the same checks and per-row errors as a file, row n being the
     * n-th line of the request (orders in order, lines within them).
     */
    async pushOrders(
      p: Principal | null,
      input: { platformCode: string; partial: boolean; orders: ApiOrder[] },
    ): Promise<ImportResult> {
      requirePermission(p, 'orders.import');
      return storeParsed(p, input.platformCode, input.partial, () => parseRows(apiRows(input.orders), 'generic'), 'api');
    },

    async listOrders(
      p: Principal | null,
      opts: { status?: SalesOrderStatus; cursor?: string; limit?: number },
    ): Promise<{ items: SalesOrder[]; nextCursor: string | null }> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const limit = clampLimit(opts.limit);
      const after = decodeCursor(opts.cursor);
      const rows = await createOrdersRepository(db).listOrders({
        sellerOrgId: org.id,
        limit: limit + 1,
        ...(opts.status ? { status: opts.status } : {}),
        ...(after ? { afterId: after.id } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toSalesOrder), nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
    },

    async getOrder(p: Principal | null, id: string): Promise<SalesOrder> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const row = await createOrdersRepository(db).findOrder(id);
      if (!row || row.seller_org_id !== org.id) throw notFound(SALES_ORDER);
      return toSalesOrder(row);
    },

    auditView,
  };
}
