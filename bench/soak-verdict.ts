// The verdict of a soak run (issue #9: 30 minutes at 500 parcels/s, no memory growth, no errors).

export interface SoakVerdict {
  minutes: number;
  /** Seconds from the first submit to the last: on pace is at most 5 % over the soak's length. */
  submitSeconds: number;
  onPace: boolean;
  /** The benchmark stops at the first refused or failed request, so a finished soak has none. */
  errors: 0;
  /** Heap after a full collection, highest of the last three tenths minus lowest of tenths 2–4. */
  heapGrowthMb: number;
  heapFlat: boolean;
  passed: boolean;
}

/** A soak holds when the offered load was kept and the heap did not grow beyond the client's backlog. */
export function soakVerdict(
  minutes: number,
  submitSeconds: number,
  timeline: { heapUsed: number; clientBacklog: number }[],
): SoakVerdict {
  const early = timeline.slice(1, 4).map((t) => t.heapUsed);
  const late = timeline.slice(-3);
  // ~100 bytes of client heap per waiting order: the client's backlog is not the platform's growth.
  const clientMb = (t: { clientBacklog: number }): number => (t.clientBacklog * 100) / 1024 / 1024;
  const heapGrowthMb = early.length ? Math.round(Math.max(...late.map((t) => t.heapUsed - clientMb(t))) - Math.min(...early)) : 0;
  const onPace = submitSeconds <= minutes * 60 * 1.05;
  const heapFlat = heapGrowthMb < 50;
  return {
    minutes,
    submitSeconds: Math.round(submitSeconds),
    onPace,
    errors: 0,
    heapGrowthMb,
    heapFlat,
    passed: onPace && heapFlat,
  };
}
