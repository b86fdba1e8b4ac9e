/**
 * Inventories that left the flow without departing: rejected (100) on review or inspection,
 * cancelled (CEB605) or deleted (appType 3) by their declarant: `{ ids }`. Whatever they reserved
 * (batch quantities, inspection tasks) goes back. Its own file: intake and pipeline both publish it.
 */
export const TOPIC_WITHDRAWN = 'clearance.withdrawn';

export interface WithdrawnPayload {
  ids: string[];
}
