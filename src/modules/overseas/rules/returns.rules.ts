/**
 * CBEC export goods that cannot be sold or are sent back may return to China within one year of
 * their export release (GACC Announcement 2020 No. 44): the window is counted from the release
 * date of the declaration the goods left under, up to the same calendar date a year later.
 */
export function withinReturnWindow(releasedAt: Date, at: Date): boolean {
  if (at.getTime() < releasedAt.getTime()) return false;
  const end = new Date(releasedAt);
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return at.getTime() <= end.getTime();
}

/** Units of each consignment a sale draws, first in first out by release date. */
export function allocateFifo(
  need: number,
  lots: { consignmentId: string; releasedAt: Date; remaining: number }[],
): { consignmentId: string; qty: number }[] | null {
  const out: { consignmentId: string; qty: number }[] = [];
  let left = need;
  for (const lot of [...lots].sort(
    (a, b) => a.releasedAt.getTime() - b.releasedAt.getTime() || a.consignmentId.localeCompare(b.consignmentId),
  )) {
    if (left <= 0) break;
    const take = Math.min(lot.remaining, left);
    if (take > 0) {
      out.push({ consignmentId: lot.consignmentId, qty: take });
      left -= take;
    }
  }
  return left > 0 ? null : out;
}

export const SERVICE_KINDS = ['agent_operation', 'customer_service', 'warehousing', 'data_services', 'legal_consulting'] as const;
export type PointService = (typeof SERVICE_KINDS)[number];
