import type { Executor } from '../../kernel/db.ts';
import { summaryLookup } from '../summary/index.ts';
import { evaluateDeclarations } from './tax.refunds.ts';

/** Declarations read per enterprise for a refund total (newest periods first). */
const REFUND_TOTAL_DECLARATIONS = 5000;

/** "12.34" → 1234 fen; refund estimates are already rounded to the fen. */
const fenOf = (v: string): number => {
  const [i, f = ''] = v.split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
};

/** What other modules may ask of export tax refunds. */
export function taxLookup(exec: Executor) {
  return {
    /**
     * An enterprise's export tax refunds (出口退税) over a span of days: the estimated refund, in CNY,
     * of its summary declarations whose exit day (the last day of the summary period) lies in
     * [from, to] and whose verdict is refund (退税) — exemption and taxable declarations count 0.
     * The tax module keeps no approval status, so this is the estimate, not an approved amount.
     */
    async refundTotals(orgId: string, from: string, to: string): Promise<{ refundsCny: number; declarations: number }> {
      const decls = (await summaryLookup(exec).declarations({ orgId, limit: REFUND_TOTAL_DECLARATIONS })).filter(
        (d) => d.exitDay >= from && d.exitDay <= to,
      );
      const refunds = (await evaluateDeclarations(exec, decls)).filter((v) => v.verdict.outcome === 'refund');
      const fen = refunds.reduce((a, v) => a + fenOf(v.verdict.estimate), 0);
      return { refundsCny: fen / 100, declarations: refunds.length };
    },
  };
}

export type TaxLookup = ReturnType<typeof taxLookup>;
