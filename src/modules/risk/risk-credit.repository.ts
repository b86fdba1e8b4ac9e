import { sql, type Executor } from '../../kernel/db.ts';
import { aliasPairs } from './risk.repository.ts';
import type { CreditLevel } from './rules/risk.rules.ts';

/** The credit levels customs (or the demo seed) set in the risk workbench (rsk_credit), each valid until a time. */
export function createRiskCreditRepository(db: Executor) {
  return {
    /**
     * The level customs set per seller code, where the override is still valid at `now` (the
     * engine's clock): an expired one no longer counts. `aliases`: every code of each seller's
     * enterprise (customs code, USCC): a level set under either counts, the latest set wins.
     */
    async creditLevels(
      codes: string[],
      now: Date,
      aliases?: ReadonlyMap<string, readonly string[]>,
    ): Promise<Map<string, CreditLevel>> {
      if (codes.length === 0) return new Map();
      const pairs = aliasPairs(codes, aliases);
      const { rows } = await sql<{ code: string; level: CreditLevel }>`
        select distinct on (q.code) q.code, c.level
        from unnest(${pairs.map((x) => x.code)}::text[], ${pairs.map((x) => x.alias)}::text[]) as q(code, alias)
        join rsk_credit c on c.enterprise_code = q.alias and c.valid_until > ${now}::timestamptz
        order by q.code, c.updated_at desc`.execute(db);
      return new Map(rows.map((r) => [r.code, r.level]));
    },

    /** The overrides stored for these codes, expired or not (who set them, until when). */
    async creditOverrides(codes: string[]): Promise<Map<string, { source: string; valid_until: Date }>> {
      if (codes.length === 0) return new Map();
      const { rows } = await sql<{ enterprise_code: string; source: string; valid_until: Date }>`
        select enterprise_code, source, valid_until from rsk_credit where enterprise_code = any(${[...new Set(codes)]}::text[])`.execute(
        db,
      );
      return new Map(rows.map((r) => [r.enterprise_code, { source: r.source, valid_until: r.valid_until }]));
    },

    async listCredit() {
      const { rows } = await sql<{
        enterprise_code: string;
        level: CreditLevel;
        source: string;
        updated_at: Date;
        valid_until: Date;
      }>`
        select enterprise_code, level, source, updated_at, valid_until from rsk_credit order by enterprise_code`.execute(db);
      return rows;
    },

    /** Sets overrides (source customs | demo), each valid until its `validUntil`. */
    async setCredit(
      rows: { code: string; level: CreditLevel; source: 'customs' | 'demo'; validUntil: Date }[],
      at: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      await sql`
        insert into rsk_credit (enterprise_code, level, source, updated_at, valid_until)
        select * from unnest(${rows.map((r) => r.code)}::text[], ${rows.map((r) => r.level)}::text[], ${rows.map((r) => r.source)}::text[],
                             array_fill(${at}::timestamptz, array[${rows.length}::int]), ${rows.map((r) => r.validUntil)}::timestamptz[])
        on conflict (enterprise_code) do update set level = excluded.level, source = excluded.source, updated_at = excluded.updated_at,
          valid_until = excluded.valid_until`.execute(db);
    },
  };
}
