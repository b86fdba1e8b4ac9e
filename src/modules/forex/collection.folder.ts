import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_RECEIVED } from '../clearance/index.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createCollectionRepository, type CollectionCheck, type CollectionRow } from './collection.repository.ts';
import { capFinding } from './rules/receipts.rules.ts';

/** CEB403 charge: N19,5 (at most 14 integer digits, 5 decimals). */
const CHARGE = /^\d{1,14}(\.\d{1,5})?$/;
const BATCH = 2000;

const cstDay = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** accountingDate (YYYYMMDDhhmmss) as a date, when it is one. */
function accountingDay(v: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(v);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day ? day : null;
}

/** The check of one copied collection: its exporter, its day and amount, and the cap. */
function check(row: CollectionRow, exporter: { id: string; jurisdiction: string | null } | undefined): CollectionCheck {
  const day = accountingDay(row.accounting_date) ?? cstDay(new Date(row.doc_created_at));
  const amount = CHARGE.test(row.charge) ? row.charge : null;
  // Every CEB403 comes from a payment institution: its sender is filed with customs as one (payCode).
  const cap = amount ? capFinding('payment', amount, row.currency, day) : { usdAmount: null, rateVersion: null, overCap: false };
  return {
    document_id: row.document_id,
    org_id: exporter?.id ?? null,
    jurisdiction: exporter?.jurisdiction ?? null,
    amount,
    received_on: day,
    usd_amount: cap.usdAmount,
    rate_version: cap.rateVersion,
    over_cap: cap.overCap,
  };
}

/**
 * Checks copied CEB403 collections not checked yet (these documents, or those of these exporter
 * codes, or any), in batches of a few thousand; at most `maxBatches` batches. Answers how many
 * were checked. The handler checks what it copies at once; the desk and the reconciliation check
 * what an earlier release copied unchecked (migration 007) before they read.
 */
export async function checkCollections(
  exec: Executor,
  now: Date,
  q: { documentIds?: readonly string[]; ebcCodes?: readonly string[] } = {},
  maxBatches = 50,
): Promise<number> {
  const repo = createCollectionRepository(exec);
  let checked = 0;
  for (let i = 0; i < maxBatches; i++) {
    const rows = await repo.unchecked({ ...q, limit: BATCH });
    if (!rows.length) break;
    const exporters = await exportersOf(exec, rows);
    await repo.setChecked(
      rows.map((r) => check(r, exporters.get(r.ebc_code))),
      now,
    );
    checked += rows.length;
    if (rows.length < BATCH) break;
  }
  return checked;
}

/** The filed enterprises the collections name as exporter (ebcCode), by customs code and USCC. */
async function exportersOf(
  exec: Executor,
  rows: readonly CollectionRow[],
): Promise<Map<string, { id: string; jurisdiction: string | null }>> {
  const exporters = new Map<string, { id: string; jurisdiction: string | null }>();
  for (const o of await organisationDirectory(exec).byCodes([...new Set(rows.map((r) => r.ebc_code))]))
    for (const c of [o.customs_code, o.uscc]) if (c) exporters.set(c, { id: o.id, jurisdiction: o.jurisdiction });
  return exporters;
}

/**
 * Keeps forex's copy of every CEB403 payment collection (accepted, changed or deleted at intake)
 * and checks it against the payment institutions' single-transaction cap in the same transaction.
 * Customs never refuses a CEB403 for this forex rule: an over-cap collection is flagged here, for
 * the forex officer's desk and the enterprise's reconciliation. Replays copy and check again.
 */
export function forexCollectionsFolder(deps: { clock: Clock }): OutboxHandler {
  return {
    name: 'forex.collections',
    topics: [TOPIC_RECEIVED],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const ids = [
        ...new Set(
          events.flatMap((e) => {
            const p = e.payload as { kind?: string; ids?: string[] };
            return p.kind === 'payment' ? (p.ids ?? []) : [];
          }),
        ),
      ];
      if (!ids.length) return;
      const repo = createCollectionRepository(trx);
      const sources = await repo.sources(ids);
      const exporters = await exportersOf(trx, sources);
      await repo.upsertChecked(
        sources.map((s) => ({ ...s, ...check(s, exporters.get(s.ebc_code)) })),
        deps.clock.now(),
      );
    },
  };
}
