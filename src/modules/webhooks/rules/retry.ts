export interface RetryPolicy {
  /** the wait after the first failure; doubled after each further one */
  baseMs: number;
  /** the longest wait */
  maxMs: number;
  /** consecutive failures after which the subscription turns `failing` (paused until resumed) */
  maxFailures: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 3_600_000, maxFailures: 15 };

/** Exponential back-off: base × 2^(failures − 1), capped: 5 s, 10 s, 20 s … 1 h. */
export function retryDelayMs(consecutiveFailures: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const n = Math.max(consecutiveFailures - 1, 0);
  return Math.min(policy.baseMs * 2 ** Math.min(n, 40), policy.maxMs);
}
