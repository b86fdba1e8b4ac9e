import type { Executor } from '../../kernel/db.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { TOPIC_CLOSED, type ClosedPayload } from '../clearance/index.ts';
import { createSummaryRepository } from './summary.repository.ts';

/**
 * Copies the lines of inventories as they close (`clearance.closed`) into the summary's typed
 * source table, one statement per batch, so month-end grouping reads columns instead of
 * unnesting a million jsonb documents. Replays insert nothing (`on conflict do nothing`).
 */
export function summarySourceFolder(): OutboxHandler {
  return {
    name: 'summary.source',
    topics: [TOPIC_CLOSED],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const ids = [...new Set(events.flatMap((e) => (e.payload as ClosedPayload).ids))];
      await createSummaryRepository(trx).addSourceLines(ids);
    },
  };
}
