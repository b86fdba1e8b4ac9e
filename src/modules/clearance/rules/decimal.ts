/** Moved to the kernel (every module sums N19,5 decimals); re-exported for the clearance rules. */
export { fromScaled, scaled, sumScaled, toScaled, within, withinPct } from '../../../kernel/decimal.ts';
