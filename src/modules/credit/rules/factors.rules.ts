import type { RatingInputs } from './rating.rules.ts';

/**
 * An enterprise's factors from the figures other modules keep per code. Documents name a seller by
 * whichever code the sender used — its 10-character customs code or its 18-character USCC
 * (CEB303/CEB603 `ebcCode`, CEB701, bank receipts) — and its filing may carry either; the figures
 * of all its codes are added up, and rates are taken over the sums, never averaged.
 */

/** Inventory outcomes per seller code (clearance). */
export interface ClearanceCounts {
  declared: number;
  rejected: number;
  closed: number;
}

/** The counts behind the external factors per seller code (inspection, summary, forex). */
export interface ExternalFactorCounts {
  /** inspection tasks with a failed finding */
  inspectionFindings?: number;
  /** summary applications (not cancelled), and of those submitted by their deadline */
  summaries?: { total: number; onTime: number };
  /** USD value of summary declarations whose goods left, and USD received against them */
  forex?: { declaredUsd: number; receivedUsd: number };
}

export type CodeFactors = Pick<
  RatingInputs,
  'declared' | 'rejected' | 'closed' | 'inspectionFindings' | 'summaryOnTimeRate' | 'forexReceiptRate' | 'filed'
>;

/** The codes an enterprise is known by: customs code first, then USCC; empty ones left out. */
export function codesOf(o: { customs_code: string | null; uscc: string | null }): string[] {
  return [o.customs_code, o.uscc].filter((c): c is string => !!c);
}

/**
 * The factors of one enterprise over all its codes. `external` null: no module supplies the
 * external factors (they are then unknown, not zero).
 */
export function factorsOverCodes(
  codes: readonly string[],
  clearance: ReadonlyMap<string, ClearanceCounts>,
  filed: (code: string) => boolean,
  external: ReadonlyMap<string, ExternalFactorCounts> | null,
): CodeFactors {
  const unique = [...new Set(codes)];
  let declared = 0;
  let rejected = 0;
  let closed = 0;
  let findings: number | null = null;
  let summaries = 0;
  let onTime = 0;
  let declaredUsd = 0;
  let receivedUsd = 0;
  for (const code of unique) {
    const c = clearance.get(code);
    if (c) {
      declared += c.declared;
      rejected += c.rejected;
      closed += c.closed;
    }
    const x = external?.get(code);
    if (x?.inspectionFindings !== undefined) findings = (findings ?? 0) + x.inspectionFindings;
    if (x?.summaries) {
      summaries += x.summaries.total;
      onTime += x.summaries.onTime;
    }
    if (x?.forex) {
      declaredUsd += x.forex.declaredUsd;
      receivedUsd += x.forex.receivedUsd;
    }
  }
  return {
    declared,
    rejected,
    closed,
    inspectionFindings: findings,
    // no application in the window: no factor; a share over all the enterprise's applications
    summaryOnTimeRate: summaries > 0 ? onTime / summaries : null,
    // no declared value in the window: no factor; received over declared, capped at 1
    forexReceiptRate: declaredUsd > 0 ? Math.min(1, receivedUsd / declaredUsd) : null,
    filed: unique.some(filed),
  };
}
