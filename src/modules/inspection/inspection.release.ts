import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { isPermission, type Permission, type Principal } from '../identity/index.ts';
import type { ClearancePort } from './inspection.ports.ts';
import { createInspectionRepository } from './inspection.repository.ts';

/**
 * A (joint) inspection task was completed: published in the transaction that records the last
 * finding, so the release (or rejection) cannot be lost between that commit and clearance's.
 */
export const TOPIC_TASK_COMPLETED = 'inspection.completed';

/** The officer who completed the task, as an outbox payload can carry it (permissions as a list). */
export type OfficerRecord = Omit<Principal, 'permissions'> & { permissions: string[] };

export interface TaskCompletedPayload {
  taskId: string;
  inventoryId: string;
  approve: boolean;
  reason: string | null;
  /** clearance's decision is this officer's, as if taken at once (audit, permission, jurisdiction) */
  by: OfficerRecord;
}

export const officerRecord = (p: Principal): OfficerRecord => ({ ...p, permissions: [...p.permissions] });

const principalOf = (r: OfficerRecord): Principal => ({
  ...r,
  permissions: new Set(r.permissions.filter((x): x is Permission => isPermission(x))),
});

/** Statuses after which clearance has decided the inventory and released it (or will, once bound). */
const DECIDED = new Set(['399', '800', '899']);

/**
 * Carries a completed task's outcome to clearance (`decideInspected`, its own transaction), at
 * least once and effective once: a task marked released is skipped; clearance decides only an
 * inventory still waiting in 300, so a delivery repeated after clearance committed (the process
 * died before this handler did) finds it decided and only marks the task. An inventory rejected or
 * withdrawn meanwhile is left as it is.
 */
export function inspectionRelease(deps: { clock: Clock; clearance: ClearancePort }): OutboxHandler {
  return {
    name: 'inspection.release',
    topics: [TOPIC_TASK_COMPLETED],
    batchSize: 50,
    async handle(events: OutboxEvent[], trx: Executor) {
      const repo = createInspectionRepository(trx);
      for (const e of events) {
        const c = e.payload as TaskCompletedPayload;
        // Locked: a concurrent delivery of the same task waits here and then sees it released.
        const task = await repo.task(c.taskId, true);
        if (!task || task.released_at) continue;
        const statusOf = async () => (await deps.clearance.statuses([c.inventoryId])).get(c.inventoryId);
        let status = await statusOf();
        if (status === '300') {
          try {
            await deps.clearance.review(principalOf(c.by), c.inventoryId, {
              approve: c.approve,
              ...(c.reason ? { reason: c.reason } : {}),
            });
          } catch (err) {
            // Decided by someone else in between: what clearance holds now is the answer.
            if (!(err instanceof DomainError) || err.code !== 'clearance.invalid_state') throw err;
          }
          status = await statusOf();
          if (status === '300') throw new Error(`inventory ${c.inventoryId} is still held after its inspection task completed`);
        }
        if (c.approve && status !== undefined && DECIDED.has(status)) await repo.markReleased(task.id, deps.clock.now());
      }
    },
  };
}
