import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { summaryLookup } from '../summary/index.ts';
import {
  createOverseasRepository,
  type ConsignmentLineView,
  type ConsignmentRow,
  type DeclarationSource,
  type StockRow,
  type WarehouseRow,
} from './overseas.repository.ts';
import {
  availableOf,
  bi,
  checkLines,
  isVerified,
  movementsOf,
  providerOf,
  readScope,
  type Line,
  type OverseasDeps,
} from './overseas.shared.ts';
import { checkDeclaration, checkReceivedGoods, declaredGoods, type ConsignmentMode } from './rules/declaration.rules.ts';

export interface StockBalance {
  warehouseId: string;
  warehouseCode: string;
  sellerOrgId: string;
  sku: string;
  in: number;
  reserved: number;
  out: number;
  returned: number;
  /** unsold units sent back to China (退运) */
  toChina: number;
  available: number;
}

export interface Consignment {
  id: string;
  warehouseId: string;
  warehouseCode: string;
  sellerOrgId: string;
  declarationNo: string;
  tradeMode: string;
  declarationSource: DeclarationSource;
  declarationVerified: boolean;
  /** the release time that counts: customs' for a verified declaration, the typed one otherwise */
  releasedAt: string;
  /** what the provider typed, when it did (kept for the record; customs wins) */
  releasedAtTyped: string | null;
  /** allocated: drawn by sales not cancelled nor restocked; toChina: sent back to China unsold */
  lines: ConsignmentLineView[];
  createdAt: string;
}

const toConsignment = (c: ConsignmentRow & { warehouse_code: string; lines: ConsignmentLineView[] | null }): Consignment => ({
  id: c.id,
  warehouseId: c.warehouse_id,
  warehouseCode: c.warehouse_code,
  sellerOrgId: c.seller_org_id,
  declarationNo: c.declaration_no,
  tradeMode: c.trade_mode,
  declarationSource: c.declaration_source,
  declarationVerified: isVerified(c.declaration_source),
  releasedAt: c.released_at.toISOString(),
  releasedAtTyped: c.typed_released_at ? c.typed_released_at.toISOString() : null,
  lines: c.lines ?? [],
  createdAt: c.created_at.toISOString(),
});

const toWarehouse = (w: WarehouseRow) => ({ id: w.id, code: w.code, name: w.name, country: w.country, city: w.city });
const toBalance = (s: StockRow & { warehouse_code: string }): StockBalance => ({
  warehouseId: s.warehouse_id,
  warehouseCode: s.warehouse_code,
  sellerOrgId: s.seller_org_id,
  sku: s.sku,
  in: s.qty_in,
  reserved: s.qty_reserved,
  out: s.qty_out,
  returned: s.qty_returned,
  toChina: s.qty_to_china,
  available: availableOf(s),
});

export type ConsignmentService = ReturnType<typeof createConsignmentService>;

/** The receiving side of the ledger: warehouses, consignments exported into them, and what they hold. */
export function createConsignmentService(deps: OverseasDeps) {
  const { db, clock, audit } = deps;

  return {
    async saveWarehouse(p: Principal | null, input: { code: string; name: string; country: string; city: string }) {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      if (!/^[A-Z]{2}$/.test(input.country.toUpperCase()))
        throw validationError([
          {
            field: 'country',
            rule: 'iso3166',
            message: bi('国家须为 ISO 3166 两位字母代码', 'country must be ISO 3166 alpha-2'),
          },
        ]);
      return db.transaction().execute(async (trx) => {
        const w = await createOverseasRepository(trx).insertWarehouse({
          id: newId(),
          provider_org_id: prov.id,
          code: input.code.trim().toUpperCase(),
          name: input.name.trim(),
          country: input.country.toUpperCase(),
          city: input.city.trim(),
          created_at: clock.now(),
        });
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.warehouse_saved', entity: 'overseas_warehouse', entityId: w.id, after: toWarehouse(w) },
        ]);
        return toWarehouse(w);
      });
    },

    async listWarehouses(p: Principal | null) {
      requirePermission(p, 'overseas.read');
      const mine = p.organisation?.roles.includes('overseas') ? p.organisation.id : undefined;
      return (await createOverseasRepository(db).warehouses(mine)).map(toWarehouse);
    },

    /**
     * A consignment exported to the provider's warehouse under one declaration: stock in. For
     * 9810/9610 the declaration must be an inventory or summary export declaration the platform
     * holds for the seller, of that trade mode and released by customs; the release time is
     * customs' (a typed one is kept for the record but never used). 0110 is declared outside the
     * platform: taken as typed and marked external. See rules/declaration.rules.ts.
     */
    async receiveConsignment(
      p: Principal | null,
      input: {
        warehouseId: string;
        sellerCode: string;
        declarationNo: string;
        tradeMode: ConsignmentMode;
        releasedAt?: string | undefined;
        lines: Line[];
      },
    ): Promise<Consignment> {
      requirePermission(p, 'overseas.manage');
      const prov = providerOf(p);
      const lines = checkLines(input.lines);
      const declarationNo = input.declarationNo.trim();
      const typed = input.releasedAt === undefined || input.releasedAt === '' ? null : new Date(input.releasedAt);
      if (typed && (Number.isNaN(typed.getTime()) || typed > clock.now()))
        throw validationError([
          {
            field: 'releasedAt',
            rule: 'dateTime',
            message: bi('放行时间无效或晚于今天', 'releasedAt is invalid or in the future'),
          },
        ]);
      const w = await createOverseasRepository(db).warehouse(input.warehouseId);
      if (!w || w.provider_org_id !== prov.id) throw notFound(bi('海外仓', 'overseas warehouse'));
      const [seller] = await organisationDirectory(db).byCodes([input.sellerCode]);
      if (!seller) throw notFound(bi(`企业 ${input.sellerCode}`, `enterprise ${input.sellerCode}`));
      const verifying = input.tradeMode !== '0110';
      const [inventory] = verifying ? await clearanceLookup(db).inventoryReleases({ invtNos: [declarationNo] }) : [];
      const [summary] = verifying && !inventory ? await summaryLookup(db).exportDeclarations([declarationNo]) : [];
      const checked = checkDeclaration({
        declarationNo,
        tradeMode: input.tradeMode,
        typedReleasedAt: typed,
        seller: { id: seller.id, codes: [seller.customs_code, seller.uscc].filter((c): c is string => !!c) },
        inventory,
        summary,
      });
      if ('problem' in checked) {
        if (checked.problem.rule === 'required') throw validationError([checked.problem]);
        throw new DomainError(
          'overseas.unprocessable',
          bi(
            `出口申报核验未通过：${checked.problem.message.zh}`,
            `export declaration not accepted: ${checked.problem.message.en}`,
          ),
          { errors: [checked.problem] },
        );
      }
      const decl = checked.ok;
      if (decl.inventories.length) {
        // the goods must have left under it: SKUs and quantities within its inventory lines
        const declared = declaredGoods([...(await clearanceLookup(db).inventoryDocuments(decl.inventories)).values()]);
        const problems = checkReceivedGoods(
          lines.map((l) => ({ ...l, field: `lines[${input.lines.findIndex((x) => x.sku.trim() === l.sku)}]` })),
          declared,
          declarationNo,
        );
        if (problems.length)
          throw new DomainError(
            'overseas.unprocessable',
            bi(
              `入仓商品与出口申报不符：${problems.map((x) => x.message.zh).join('；')}`,
              `goods received do not match the export declaration: ${problems.map((x) => x.message.en).join('; ')}`,
            ),
            { errors: problems },
          );
      }
      const now = clock.now();
      const row: ConsignmentRow = {
        id: newId(),
        warehouse_id: w.id,
        seller_org_id: seller.id,
        declaration_no: declarationNo,
        trade_mode: input.tradeMode,
        released_at: decl.releasedAt,
        created_at: now,
        declaration_source: decl.source,
        declaration_ref: decl.ref,
        typed_released_at: typed,
      };
      try {
        await db.transaction().execute(async (trx) => {
          const repo = createOverseasRepository(trx);
          await repo.insertConsignment(row, lines, decl.inventories);
          await repo.movements(movementsOf({ ...row, consignment_id: row.id }, lines, 'in', now));
          await audit.append(trx, actorOf(p), [
            {
              action: 'overseas.consignment_received',
              entity: 'overseas_consignment',
              entityId: row.id,
              after: {
                ...input,
                declarationNo,
                lines,
                releasedAt: decl.releasedAt.toISOString(),
                releasedAtTyped: typed?.toISOString() ?? null,
                declarationSource: decl.source,
                declarationRef: decl.ref,
              },
            },
          ]);
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505')
          throw new DomainError(
            'overseas.duplicate',
            bi(
              `报关单（清单）${declarationNo} 或其所含清单已入仓`,
              `declaration ${declarationNo}, or an inventory it covers, has already been received into stock`,
            ),
          );
        throw e;
      }
      return toConsignment({
        ...row,
        warehouse_code: w.code,
        lines: lines.map((l) => ({ ...l, allocated: 0, toChina: 0 })),
      });
    },

    /** Consignments with their declarations and whether those were verified: the seller's own, or a provider's warehouses'. */
    async consignments(p: Principal | null): Promise<Consignment[]> {
      requirePermission(p, 'overseas.read');
      return (await createOverseasRepository(db).consignments(readScope(p))).map(toConsignment);
    },

    /** The seller sees its stock everywhere; a provider the stock in its warehouses. */
    async stock(p: Principal | null, q: { warehouseId?: string }): Promise<StockBalance[]> {
      requirePermission(p, 'overseas.read');
      const scope = readScope(p);
      return (
        await createOverseasRepository(db).stock({ ...scope, ...(q.warehouseId ? { warehouseId: q.warehouseId } : {}) })
      ).map(toBalance);
    },
  };
}
