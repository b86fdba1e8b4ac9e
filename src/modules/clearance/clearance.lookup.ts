import type { Executor } from '../../kernel/db.ts';
import { sql } from 'kysely';
import { createClearanceRepository } from './clearance.repository.ts';
import { toReceiptView, type ReceiptView } from './clearance.service.ts';

/** What other modules may ask of clearance, batch-first. */
export function clearanceLookup(exec: Executor) {
  const repo = createClearanceRepository(exec);
  return {
    /** business keys (`ebpCode|orderNo`) among `keys` that have a live order (CEB303) */
    async liveOrderKeys(keys: string[]): Promise<Set<string>> {
      return new Set((await repo.liveByKeys('order', [...new Set(keys)])).map((d) => d.business_key));
    },
  };
}

/** The receipt feed of an organisation, for push channels (webhooks): pages in commit order. */
export function receiptFeed(exec: Executor) {
  const repo = createClearanceRepository(exec);
  return {
    async page(orgId: string, after: number, limit: number): Promise<{ items: ReceiptView[]; next: number }> {
      const rows = await repo.receiptsAfter(orgId, after, limit);
      return { items: rows.map(toReceiptView), next: rows.length ? rows[rows.length - 1]!.seq! : after };
    },
    async end(orgId: string): Promise<number> {
      const r = await sql<{
        n: number;
      }>`select coalesce(max(seq), 0)::bigint as n from clr_receipt where recipient_org_id = ${orgId} and seq is not null`.execute(
        exec,
      );
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}
