import { encodeCeb } from '../../ceb/index.ts';
import type { Executor } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { createClearanceRepository, type DocumentRow } from './clearance.repository.ts';
import { TOPIC_RECEIVED, type ReceivedPayload } from './intake.service.ts';
import { DOC_KINDS, KIND_TO_MESSAGE } from './rules/documents.rules.ts';

/**
 * Outbound adapter (off by default): every accepted document is forwarded as a standard CEB
 * message to the national customs system (or a relay) at `CEB_FORWARD_URL`, so a province can run
 * the platform beside the national single window rather than in place of it. One HTTP POST per
 * message type per batch, ≤ 100 entities each; a failed POST fails the batch and the outbox
 * retries it with back-off. The receiving side dedupes by entity guid.
 */
export function cebForwarder(deps: {
  url: string;
  log: Logger;
  dxpId: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  newGuid: () => string;
}): OutboxHandler {
  const doFetch = deps.fetch ?? fetch;
  return {
    name: 'clearance.forward',
    topics: [TOPIC_RECEIVED],
    batchSize: 100,
    maxAttempts: 50,
    async handle(events: OutboxEvent[], trx: Executor) {
      const ids = events.flatMap((e) => (e.payload as ReceivedPayload).ids);
      const docs = await createClearanceRepository(trx).documentsByIds(ids);
      const byType = new Map<string, DocumentRow[]>();
      for (const d of docs) byType.set(d.kind, [...(byType.get(d.kind) ?? []), d]);
      for (const [kind, list] of byType) {
        const messageType = KIND_TO_MESSAGE[kind as DocumentRow['kind']];
        const spec = DOC_KINDS[messageType];
        for (let i = 0; i < list.length; i += 100) {
          const chunk = list.slice(i, i + 100);
          const first = chunk[0]!;
          const xml = encodeCeb({
            messageType,
            guid: deps.newGuid(),
            version: '1.0',
            entities: chunk.map((d) => ({ head: d.head, lists: spec.list ? { [spec.list]: d.lines } : {} })),
            baseTransfer: {
              copCode: first.head[spec.senders[0]!.field] ?? '',
              copName: 'CBEC Window',
              dxpMode: 'DXP',
              dxpId: deps.dxpId,
            },
          });
          const res = await doFetch(deps.url, {
            method: 'POST',
            headers: { 'content-type': 'application/xml; charset=utf-8', 'x-ceb-message-type': messageType },
            body: xml,
            redirect: 'error',
            signal: AbortSignal.timeout(deps.timeoutMs ?? 15_000),
          });
          if (!res.ok) throw new Error(`forwarding ${messageType} to ${deps.url} answered HTTP ${res.status}`);
          deps.log.debug({ messageType, entities: chunk.length }, 'forwarded to the national system');
        }
      }
    },
  };
}
