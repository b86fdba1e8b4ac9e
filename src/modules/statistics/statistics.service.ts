import ExcelJS from 'exceljs';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, validationError } from '../../kernel/errors.ts';
import { getCode } from '../../codes/index.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type Principal,
} from '../identity/index.ts';
import { DIMENSION_DEFS, DIMENSIONS, isDimension, METRICS, type Dimension } from './rules/dimensions.rules.ts';
import { formatScaled } from './rules/money.rules.ts';
import { foldPendingFor } from './statistics.folder.ts';
import { createStatisticsRepository, type CubeFilter, type CubeTotals } from './statistics.repository.ts';
import type { ExportQuery, FxRate, StatsQuery, StatsRow, StatsTable } from './statistics.schema.ts';

export interface StatisticsServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

type Scope = { kind: 'all' } | { kind: 'jurisdiction'; prefix: string } | { kind: 'enterprise'; code: string };

/**
 * Who sees which figures: the operator all; customs, inspection and the commerce department the
 * inventories declared at the offices of their jurisdiction (district 4000 → offices 40xx, GACC
 * 0000 all); an enterprise itself.
 */
export function statisticsScopeOf(p: Principal): Scope {
  if (isAdmin(p)) return { kind: 'all' };
  const org = p.organisation;
  if (!org) throw forbidden();
  if (org.kind === 'agency') {
    if (org.roles.some((r) => r === 'customs' || r === 'inspection' || r === 'commerce')) {
      const prefix = jurisdictionPrefix(org.jurisdiction);
      if (prefix === null) throw forbidden();
      return prefix === '' ? { kind: 'all' } : { kind: 'jurisdiction', prefix };
    }
    throw forbidden();
  }
  if (org.kind === 'enterprise' && org.code) return { kind: 'enterprise', code: org.code };
  throw forbidden();
}

const scopeText = (s: Scope): string =>
  s.kind === 'all' ? 'all' : s.kind === 'jurisdiction' ? `jurisdiction:${s.prefix}` : `enterprise:${s.code}`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function createStatisticsService(deps: StatisticsServiceDeps) {
  const { db, clock } = deps;

  /** An enterprise's own rows are those under any code it declares under: customs code or USCC. */
  async function ownCodesOf(p: Principal, scope: Scope): Promise<string[]> {
    if (scope.kind !== 'enterprise') return [];
    const o = p.organisation ? await organisationDirectory(db).byId(p.organisation.id) : undefined;
    const codes = [o?.customs_code, o?.uscc].filter((c): c is string => !!c);
    return codes.length ? codes : [scope.code];
  }

  async function filterOf(p: Principal, q: Omit<StatsQuery, 'by'>): Promise<{ filter: CubeFilter; scope: Scope }> {
    const scope = statisticsScopeOf(p);
    const today = clock.now().toISOString().slice(0, 10);
    const from = q.from ?? `${today.slice(0, 4)}-01-01`;
    const to = q.to ?? today;
    const problems = [];
    if (!DATE.test(from))
      problems.push({ field: 'from', rule: 'format', message: { zh: '日期格式应为 YYYY-MM-DD', en: 'use YYYY-MM-DD' } });
    if (!DATE.test(to))
      problems.push({ field: 'to', rule: 'format', message: { zh: '日期格式应为 YYYY-MM-DD', en: 'use YYYY-MM-DD' } });
    if (problems.length === 0 && from > to)
      problems.push({
        field: 'from',
        rule: 'range',
        message: { zh: '开始日期不能晚于结束日期', en: 'from must not be after to' },
      });
    if (problems.length) throw validationError(problems);
    const filter: CubeFilter = {
      from,
      to,
      ...(scope.kind === 'jurisdiction' ? { customsPrefix: scope.prefix } : {}),
      ...(scope.kind === 'enterprise' ? { ownCodes: await ownCodesOf(p, scope) } : {}),
      ...(q.mode ? { mode: q.mode } : {}),
      ...(q.country ? { country: q.country } : {}),
      ...(q.customs ? { customs: q.customs } : {}),
      ...(q.enterprise ? { enterprise: q.enterprise } : {}),
      ...(q.carrier ? { carrier: q.carrier } : {}),
      ...(q.county ? { county: q.county } : {}),
      ...(q.hs ? { hs: q.hs } : {}),
    };
    return { filter, scope };
  }

  async function labelsFor(by: Dimension, keys: string[], lang: 'zh' | 'en'): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const kind = DIMENSION_DEFS[by].labels;
    if (kind === 'organisation') {
      for (const o of await organisationDirectory(db).byCodes(keys)) {
        if (o.customs_code) out.set(o.customs_code, o.name);
        if (o.uscc) out.set(o.uscc, o.name);
      }
      return out;
    }
    for (const k of keys) {
      let label: string | undefined;
      if (kind === 'country' || kind === 'trade-mode' || kind === 'customs') {
        const e = getCode(kind, k);
        label = e ? (lang === 'en' && e.nameEn ? e.nameEn : e.nameZh) : undefined;
      } else if (kind === 'region') {
        // a city (4 digits) is named by its "other" entry (xxxx9), e.g. 36019 南昌其他 → 南昌
        label = k.length === 4 ? getCode('region', `${k}9`)?.nameZh.replace(/其他$/, '') : getCode('region', k)?.nameZh;
      }
      out.set(k, label ?? k);
    }
    return out;
  }

  const toRow = (t: CubeTotals, label: string): StatsRow => ({
    key: t.key,
    label,
    inventories: Number(t.inventories),
    valueCny: formatScaled(BigInt(t.value_fen), 2),
    valueUsd: formatScaled(BigInt(t.value_usd_cents), 2),
    grossWeightKg: formatScaled(BigInt(t.weight_grams), 3),
  });

  async function table(p: Principal | null | undefined, q: StatsQuery, lang: 'zh' | 'en' = 'zh'): Promise<StatsTable> {
    requirePermission(p, 'statistics.read');
    const by: string = q.by;
    if (!isDimension(by))
      throw validationError([
        {
          field: 'by',
          rule: 'enum',
          message: { zh: `统计维度应为 ${DIMENSIONS.join('、')}`, en: `by must be one of ${DIMENSIONS.join(', ')}` },
        },
      ]);
    const { filter, scope } = await filterOf(p, q);
    const repo = createStatisticsRepository(db);
    const def = DIMENSION_DEFS[by];
    const [rows, totals] = await Promise.all([
      repo.grouped(by, filter, q.limit ?? 1000),
      // HS tables sum the goods cube (an inventory under two headings counts in each): so do their totals.
      repo.totals(filter, def.goodsOnly),
    ]);
    const labels = await labelsFor(
      by,
      rows.map((r) => r.key),
      lang,
    );
    return {
      by,
      title: def.label,
      from: filter.from,
      to: filter.to,
      scope: scopeText(scope),
      rows: rows.map((r) => toRow(r, labels.get(r.key) ?? r.key)),
      totals: toRow({ key: 'total', ...totals }, lang === 'en' ? 'Total' : '合计'),
    };
  }

  return {
    table,

    /** Every requested table (default: all dimensions) as one workbook, one sheet per table. */
    async exportXlsx(p: Principal | null | undefined, q: ExportQuery): Promise<Buffer> {
      requirePermission(p, 'statistics.read');
      const dims = (
        q.by
          ? q.by
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [...DIMENSIONS]
      ) as string[];
      const bad = dims.filter((d) => !isDimension(d));
      if (bad.length || dims.length === 0)
        throw validationError([
          {
            field: 'by',
            rule: 'enum',
            message: { zh: `未知统计维度：${bad.join('、')}`, en: `unknown dimensions: ${bad.join(', ')}` },
            value: q.by,
          },
        ]);
      const lang = q.lang ?? 'zh';
      const { by: _by, lang: _lang, ...rest } = q;
      const wb = new ExcelJS.Workbook();
      wb.creator = 'CBEC Window';
      for (const d of dims as Dimension[]) {
        const t = await table(p, { ...rest, by: d }, lang);
        const ws = wb.addWorksheet(d);
        ws.addRow([`${t.title[lang]} ${t.from} ~ ${t.to}`, '', `scope: ${t.scope}`]);
        ws.addRow([lang === 'en' ? 'Code' : '代码', t.title[lang], ...METRICS.map((m) => m.label[lang])]);
        ws.getRow(2).font = { bold: true };
        for (const r of [...t.rows, t.totals])
          ws.addRow([r.key, r.label, r.inventories, Number(r.valueCny), Number(r.valueUsd), Number(r.grossWeightKg)]);
        ws.columns.forEach((c, i) => {
          c.width = i === 1 ? 36 : 16;
        });
      }
      return Buffer.from(await wb.xlsx.writeBuffer());
    },

    /** The rates, and the closed inventories waiting for one (per missing currency). */
    async rates(p: Principal | null | undefined) {
      requirePermission(p, 'statistics.read');
      const repo = createStatisticsRepository(db);
      const [items, pending] = await Promise.all([repo.listRates(), repo.pendingSummary()]);
      return { items, pending };
    },

    /**
     * A new rate applies to inventories folded from then on; folded figures are not revalued. The
     * inventories parked for want of a rate of this currency are folded in the same transaction
     * (those it does not cover — closed before `validFrom` — keep waiting).
     */
    async setRate(p: Principal | null | undefined, r: FxRate) {
      requirePermission(p, 'statistics.manage');
      if (r.currency === '142' || !getCode('currency', r.currency))
        throw validationError([
          {
            field: 'currency',
            rule: 'codeTable',
            message: { zh: '币制代码无效（人民币无需汇率）', en: 'unknown currency code (CNY needs no rate)' },
            value: r.currency,
          },
        ]);
      if (Number(r.cnyPerUnit) <= 0)
        throw validationError([
          { field: 'cnyPerUnit', rule: 'minimum', message: { zh: '汇率必须大于 0', en: 'the rate must be above 0' } },
        ]);
      const pending = await db.transaction().execute(async (trx) => {
        await createStatisticsRepository(trx).upsertRate(r.currency, r.validFrom, r.cnyPerUnit, r.source ?? 'manual');
        const { folded, parked } = await foldPendingFor(trx, r.currency, deps.clock.now());
        await deps.audit.append(trx, actorOf(p), [
          {
            action: 'statistics.rate_set',
            entity: 'stat_fx_rate',
            entityId: `${r.currency}@${r.validFrom}`,
            after: { ...r, pendingFolded: folded, pendingStill: parked },
          },
        ]);
        return { folded, parked };
      });
      const repo = createStatisticsRepository(db);
      return { items: await repo.listRates(), pendingFolded: pending.folded, pending: await repo.pendingSummary() };
    },

    /**
     * An enterprise's closed exports in a period, for other modules' ports (no access check: callers
     * scope): as seller under either of its codes (customs code, USCC), whichever its documents used.
     */
    async enterpriseFigures(
      code: string,
      from: string,
      to: string,
    ): Promise<{ exportsCny: number; exportsUsd: number; parcels: number }> {
      const [o] = await organisationDirectory(db).byCodes([code]);
      const codes = [o?.customs_code, o?.uscc].filter((c): c is string => !!c);
      const t = await createStatisticsRepository(db).totals({ from, to, sellerCodes: codes.length ? codes : [code] }, false);
      return {
        exportsCny: Number(t.value_fen) / 100,
        exportsUsd: Number(t.value_usd_cents) / 100,
        parcels: Number(t.inventories),
      };
    },

    metrics() {
      return {
        metrics: METRICS.map((m) => ({ key: m.key, label: m.label, unit: m.unit })),
        dimensions: DIMENSIONS.map((d) => ({ key: d, label: DIMENSION_DEFS[d].label, goodsCube: DIMENSION_DEFS[d].goodsOnly })),
        definitions: 'docs/metrics.md',
      };
    },
  };
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;
