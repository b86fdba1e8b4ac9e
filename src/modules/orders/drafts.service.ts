import { DomainError, notFound, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { filingLookup, productKey, type Product } from '../filing/index.ts';
import {
  actorOf,
  organisationDirectory,
  requirePermission,
  type OrganisationProfile,
  type Principal,
} from '../identity/index.ts';
import { createDeclareService } from './declare.service.ts';
import { bi, DRAFT, guid, orderForBuild, toDraft, visible, type DraftsDeps, type InventoryDraft } from './drafts.shared.ts';
import { createOrdersRepository } from './orders.repository.ts';
import { clampLimit, decodeCursor, encodeCursor, enterpriseOf, sellerOf } from './orders.service.ts';
import { EDITABLE_DRAFT, type DraftStatus } from './orders.states.ts';
import { buildInventory, cebTimes, checkDraft, DEFAULT_BUILD, type Party, type TradeMode } from './rules/inventory.ts';

const MAX_BUILD = 1000;

export interface BuildInput {
  orderIds?: string[];
  /** the declaring agent: the seller itself (default) or a broker (role agent) */
  agentCode?: string;
  /** the carrier (role logistics); without it the drafts wait for one */
  logisticsCode?: string;
  customsCode?: string;
  portCode?: string;
  tradeMode?: TradeMode;
  trafMode?: string;
  pod?: string;
}

export interface DraftPatch {
  logisticsCode?: string;
  logisticsNo?: string;
  grossWeight?: string;
  netWeight?: string;
  freight?: string;
  insuredFee?: string;
  POD?: string;
  note?: string;
  lines?: { gnum: string; qty1?: string; qty2?: string }[];
}

export type DraftsService = ReturnType<typeof createDraftsService>;

/** The draft services as one: building, reading and editing drafts, and declaring them. */
export function createDraftsService(deps: DraftsDeps) {
  return { ...createDraftBuilderService(deps), ...createDeclareService(deps) };
}

/** Builds inventory drafts from sales orders; lists, reads and edits them. */
export function createDraftBuilderService(deps: Pick<DraftsDeps, 'db' | 'clock' | 'audit'>) {
  const { db, clock, audit } = deps;

  /** An organisation by customs code holding `role` (or being `self`), as a CEB party. */
  async function partyWithRole(
    code: string,
    role: string,
    field: string,
    self?: { id: string; code: string },
  ): Promise<OrganisationProfile> {
    const [org] = await organisationDirectory(db).byCodes([code]);
    if (org && org.kind === 'enterprise' && (org.roles.includes(role) || (self && org.id === self.id))) return org;
    throw validationError([
      {
        field,
        rule: 'organisationRole',
        message: bi(`${code} 不是具有“${role}”角色的企业`, `${code} is not an enterprise holding the role "${role}"`),
        value: code,
      },
    ]);
  }
  const partyOf = (o: OrganisationProfile): Party => ({ code: o.customs_code ?? o.uscc ?? '', name: o.name });

  function copNoOf(id: string): string {
    return `D${id.replace(/-/g, '').slice(0, 29)}`.toUpperCase();
  }

  return {
    /** Builds (or rebuilds, while not declared) the inventory drafts of the seller's orders. */
    async buildInventories(
      p: Principal | null,
      input: BuildInput,
    ): Promise<{ built: number; complete: number; drafts: InventoryDraft[] }> {
      requirePermission(p, 'orders.import');
      const seller = sellerOf(p);
      const [sellerOrg] = await organisationDirectory(db).byCodes([seller.code]);
      if (!sellerOrg) throw notFound(DRAFT);
      const agent = input.agentCode ? await partyWithRole(input.agentCode, 'agent', 'agentCode', seller) : sellerOrg;
      const carrier = input.logisticsCode ? await partyWithRole(input.logisticsCode, 'logistics', 'logisticsCode') : null;
      const repo = createOrdersRepository(db);
      const orders = await repo.ordersToBuild(seller.id, input.orderIds ?? null, MAX_BUILD);
      if (input.orderIds) {
        const found = new Set(orders.map((o) => o.id));
        const missing = input.orderIds.filter((id) => !found.has(id));
        if (missing.length) throw notFound({ zh: `销售订单 ${missing.join('、')}`, en: `sales order(s) ${missing.join(', ')}` });
        const done = orders.filter((o) => o.status === 'declared');
        if (done.length) {
          throw new DomainError('orders.invalid_state', bi('已申报的订单不能重新生成清单', 'declared orders cannot be rebuilt'), {
            orderNos: done.map((o) => o.order_no),
          });
        }
      }
      const products = await filingLookup(db).filedProducts(
        orders.flatMap((o) => o.lines.map((l) => ({ ebcCode: seller.code, itemNo: l.itemNo }))),
      );
      const now = clock.now();
      const times = cebTimes(now);
      const params = {
        ...DEFAULT_BUILD,
        ...(input.customsCode ? { customsCode: input.customsCode } : {}),
        ...(input.portCode ? { portCode: input.portCode } : {}),
        ...(input.tradeMode ? { tradeMode: input.tradeMode } : {}),
        ...(input.trafMode ? { trafMode: input.trafMode } : {}),
        ...(input.pod ? { pod: input.pod } : {}),
        ...times,
      };
      const rows = orders.map((o) => {
        const byItem = new Map<string, Product>();
        for (const l of o.lines) {
          const pr = products.get(productKey(seller.code, l.itemNo));
          if (pr) byItem.set(l.itemNo, pr);
        }
        const id = newId();
        const built = buildInventory({
          order: orderForBuild(o),
          products: byItem,
          seller: partyOf(sellerOrg),
          platform: { code: o.platform_code, name: o.platform_name },
          agent: partyOf(agent),
          carrier: carrier ? partyOf(carrier) : null,
          params,
          guid: guid(),
          copNo: copNoOf(id),
        });
        return {
          id,
          sales_order_id: o.id,
          seller_org_id: seller.id,
          agent_org_id: agent.id,
          order_no: o.order_no,
          platform_code: o.platform_code,
          trade_mode: params.tradeMode,
          head: built.head,
          lines: built.lines,
          problems: built.problems,
          status: (built.problems.length ? 'draft' : 'complete') as DraftStatus,
          document_id: null,
          invt_no: null,
          return_status: null,
          return_info: null,
          declared_at: null,
        };
      });
      const drafts = await db.transaction().execute(async (trx) => {
        const r = createOrdersRepository(trx);
        const stored = await r.upsertDrafts(rows, now);
        await r.setOrderStatus(
          stored.map((d) => d.sales_order_id),
          'inventory_built',
          now,
        );
        await audit.append(
          trx,
          actorOf(p),
          stored.map((d) => ({
            action: 'inventory_draft.build',
            entity: 'inventory_draft',
            entityId: d.id,
            after: { orderNo: d.order_no, status: d.status, agentOrgId: d.agent_org_id, problems: d.problems.length },
          })),
        );
        return stored;
      });
      return {
        built: drafts.length,
        complete: drafts.filter((d) => d.status === 'complete').length,
        drafts: drafts.map(toDraft),
      };
    },

    async listDrafts(
      p: Principal | null,
      opts: { status?: DraftStatus; cursor?: string; limit?: number },
    ): Promise<{ items: InventoryDraft[]; nextCursor: string | null }> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const limit = clampLimit(opts.limit);
      const after = decodeCursor(opts.cursor);
      const rows = await createOrdersRepository(db).listDrafts({
        orgId: org.id,
        limit: limit + 1,
        ...(opts.status ? { status: opts.status } : {}),
        ...(after ? { afterId: after.id } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toDraft), nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
    },

    async getDraft(p: Principal | null, id: string): Promise<InventoryDraft> {
      requirePermission(p, 'orders.read');
      const org = enterpriseOf(p);
      const row = await createOrdersRepository(db).findDraft(id);
      if (!row || !visible(org, row)) throw notFound(DRAFT);
      return toDraft(row);
    },

    /** The seller or the named agent fills in what the order could not say; the draft is checked again. */
    async patchDraft(p: Principal | null, id: string, patch: DraftPatch): Promise<InventoryDraft> {
      requirePermission(p, 'orders.declare');
      const org = enterpriseOf(p);
      const carrier = patch.logisticsCode ? await partyWithRole(patch.logisticsCode, 'logistics', 'logisticsCode') : null;
      return db.transaction().execute(async (trx) => {
        const repo = createOrdersRepository(trx);
        const row = await repo.lockDraft(id);
        if (!row || !visible(org, row)) throw notFound(DRAFT);
        if (!EDITABLE_DRAFT.includes(row.status)) {
          throw new DomainError(
            'orders.invalid_state',
            bi(`清单草稿处于“${row.status}”状态，不能修改`, `a draft in state "${row.status}" cannot be edited`),
            {
              state: row.status,
            },
          );
        }
        const head = { ...row.head };
        if (carrier) {
          head.logisticsCode = carrier.customs_code ?? '';
          head.logisticsName = carrier.name;
        }
        for (const k of ['logisticsNo', 'grossWeight', 'netWeight', 'freight', 'insuredFee', 'POD', 'note'] as const) {
          const v = patch[k];
          if (v !== undefined) {
            if (v === '') delete head[k];
            else head[k] = v;
          }
        }
        const byGnum = new Map((patch.lines ?? []).map((l) => [l.gnum, l]));
        const unknown = [...byGnum.keys()].filter((g) => !row.lines.some((l) => l.gnum === g));
        if (unknown.length) {
          throw validationError(
            unknown.map((g) => ({
              field: 'lines',
              rule: 'gnum',
              message: bi(`没有序号为 ${g} 的商品行`, `no line with gnum ${g}`),
              value: g,
            })),
          );
        }
        const lines = row.lines.map((l) => {
          const e = byGnum.get(l.gnum ?? '');
          const out = { ...l };
          if (e?.qty1 !== undefined) out.qty1 = e.qty1;
          if (e?.qty2 !== undefined) out.qty2 = e.qty2;
          return out;
        });
        // A new guid: a corrected draft is a new declaration to customs (a rejected guid is spent).
        if (row.status === 'rejected') head.guid = guid();
        const problems = checkDraft(head, lines);
        const status: DraftStatus = row.status === 'rejected' ? 'rejected' : problems.length ? 'draft' : 'complete';
        const now = clock.now();
        const updated = await repo.updateDraft(id, { head, lines, problems, status }, now);
        await audit.append(trx, actorOf(p), [
          {
            action: 'inventory_draft.edit',
            entity: 'inventory_draft',
            entityId: id,
            before: { head: row.head, lines: row.lines, status: row.status },
            after: { head: updated.head, lines: updated.lines, status: updated.status, problems: problems.length },
          },
        ]);
        return toDraft(updated);
      });
    },
  };
}
