import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import type { IdentityTables, OrganisationRow } from './identity.tables.ts';

export type OrgScope = { all: true } | { all: false; orgId: string; jurisdictionPrefix: string | null };

export function createOrganisationRepository(exec: Executor) {
  const db = tables<IdentityTables>(exec);
  return {
    async findById(id: string): Promise<OrganisationRow | undefined> {
      return db.selectFrom('organisation').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Organisations by id, one statement (unknown ids are absent). */
    async findManyByIds(ids: string[]): Promise<OrganisationRow[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('organisation').selectAll().where('id', 'in', ids).execute();
    },
    async findByCode(code: string): Promise<OrganisationRow | undefined> {
      return db
        .selectFrom('organisation')
        .selectAll()
        .where((eb) => eb.or([eb('customs_code', '=', code), eb('uscc', '=', code)]))
        .executeTakeFirst();
    },
    /** Customs code or USCC → organisation id, for hundreds of codes in one statement. */
    async idsByCodes(codes: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      if (codes.length === 0) return out;
      const rows = await db
        .selectFrom('organisation')
        .select(['id', 'customs_code', 'uscc'])
        .where((eb) => eb.or([eb('customs_code', 'in', codes), eb('uscc', 'in', codes)]))
        .execute();
      for (const r of rows) {
        if (r.customs_code) out.set(r.customs_code, r.id);
        if (r.uscc) out.set(r.uscc, r.id);
      }
      return out;
    },
    async idsByDxpIds(dxpIds: string[]): Promise<Map<string, string>> {
      if (dxpIds.length === 0) return new Map();
      const rows = await db.selectFrom('organisation').select(['id', 'dxp_id']).where('dxp_id', 'in', dxpIds).execute();
      return new Map(rows.map((r) => [r.dxp_id!, r.id]));
    },
    async findManyByCodes(codes: string[]): Promise<OrganisationRow[]> {
      if (codes.length === 0) return [];
      return db
        .selectFrom('organisation')
        .selectAll()
        .where((eb) => eb.or([eb('customs_code', 'in', codes), eb('uscc', 'in', codes)]))
        .execute();
    },
    /** Ids of the enterprises of a jurisdiction: those whose competent office starts with `prefix`. */
    async enterpriseIdsIn(prefix: string): Promise<string[]> {
      const rows = await db
        .selectFrom('organisation')
        .select('id')
        .where('kind', '=', 'enterprise')
        .where('jurisdiction', 'like', `${prefix}%`)
        .execute();
      return rows.map((r) => r.id);
    },
    async findAgency(name: string): Promise<OrganisationRow | undefined> {
      return db
        .selectFrom('organisation')
        .selectAll()
        .where('kind', '!=', 'enterprise')
        .where('name', '=', name)
        .executeTakeFirst();
    },
    /**
     * Keyset page by (name, id). `scope` limits agencies to their jurisdiction: an agency over
     * district 4000 sees organisations whose jurisdiction starts with "40", and itself.
     */
    async list(opts: { scope: OrgScope; q?: string; kind?: string; after?: { name: string; id: string }; limit: number }) {
      let q = db.selectFrom('organisation').selectAll().orderBy('name').orderBy('id').limit(opts.limit);
      const scope = opts.scope;
      if (!scope.all) {
        const prefix = scope.jurisdictionPrefix;
        q = q.where((eb) =>
          prefix === null
            ? eb('id', '=', scope.orgId)
            : eb.or([eb('id', '=', scope.orgId), eb('jurisdiction', 'like', `${prefix}%`)]),
        );
      }
      if (opts.kind) q = q.where('kind', '=', opts.kind as OrganisationRow['kind']);
      if (opts.q) {
        const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) =>
          eb.or([
            eb('name', 'ilike', like),
            eb('name_en', 'ilike', like),
            eb('customs_code', 'like', like),
            eb('uscc', 'like', like),
          ]),
        );
      }
      if (opts.after) {
        const a = opts.after;
        q = q.where((eb) => eb.or([eb('name', '>', a.name), eb.and([eb('name', '=', a.name), eb('id', '>', a.id)])]));
      }
      return q.execute();
    },
    /**
     * The enterprise directory: enterprises with a customs code holding `role`, by name; `q` matches
     * part of the Chinese or English name or of the code. Only the published columns are read.
     */
    async directory(opts: { role: string; q?: string; limit: number }) {
      let q = db
        .selectFrom('organisation')
        .select(['customs_code', 'name', 'name_en', 'roles'])
        .where('kind', '=', 'enterprise')
        .where('customs_code', 'is not', null)
        .where(sql<boolean>`${opts.role} = any(roles)`)
        .orderBy('name')
        .orderBy('customs_code')
        .limit(opts.limit);
      if (opts.q) {
        const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('name_en', 'ilike', like), eb('customs_code', 'ilike', like)]));
      }
      return q.execute();
    },
    async insert(row: Omit<OrganisationRow, 'created_at'>): Promise<OrganisationRow> {
      return db.insertInto('organisation').values(row).returningAll().executeTakeFirstOrThrow();
    },
    /** Demo and import: match on customs code (enterprises) or on kind+name (agencies, operator). */
    async upsert(row: Omit<OrganisationRow, 'created_at'>): Promise<OrganisationRow> {
      const existing = row.customs_code ? await this.findByCode(row.customs_code) : await this.findAgency(row.name);
      if (!existing) return this.insert(row);
      const { id: _id, ...patch } = row;
      return this.update(existing.id, patch);
    },
    async update(id: string, patch: Partial<Omit<OrganisationRow, 'id' | 'created_at'>>): Promise<OrganisationRow> {
      return db.updateTable('organisation').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    },
  };
}
