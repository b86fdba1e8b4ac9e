import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { checkWebhookUrl, newWebhookSecret } from '../webhooks/index.ts';
import type { EventRow, HookDeliveryRow } from './logistics.tables.ts';
import { createTrackingHookRepository } from './tracking-hooks.repository.ts';

/** At most this many tracking hooks per organisation. */
export const MAX_HOOKS = 10;

export interface TrackingHook {
  id: string;
  url: string;
  pending: number;
  /** batches given up on (still failing 72 hours after they were queued) */
  failed: number;
  failingSince: string | null;
  lastError: string | null;
  lastDeliveredAt: string | null;
  createdAt: string;
}

/** What a receiver gets per event: the tracking event and its id, to dedupe at-least-once deliveries by. */
export type TrackingHookItem = { id: string } & Record<string, unknown>;

/**
 * Queues stored tracking events for every hook of the parties that may see them (`recipients`:
 * the carrier and every party on the parcel's customs documents, as for the live stream), in the
 * transaction that stored the events.
 */
export async function queueTrackingHooks(
  exec: Executor,
  rows: EventRow[],
  recipients: ReadonlyMap<string, string[]>,
  itemOf: (r: EventRow) => TrackingHookItem,
  now: Date,
): Promise<void> {
  if (!rows.length) return;
  const orgsOf = (r: EventRow) => new Set(recipients.get(r.id) ?? [r.carrier_org_id]);
  const repo = createTrackingHookRepository(exec);
  const hooks = await repo.ofOrganisations([...new Set(rows.flatMap((r) => [...orgsOf(r)]))]);
  if (!hooks.length) return;
  const deliveries: HookDeliveryRow[] = [];
  for (const h of hooks) {
    const items: TrackingHookItem[] = rows.filter((r) => orgsOf(r).has(h.organisation_id)).map(itemOf);
    if (items.length)
      deliveries.push({
        id: newId(),
        hook_id: h.id,
        items,
        attempts: 0,
        next_attempt_at: now,
        delivered_at: null,
        failed_at: null,
        status_code: null,
        last_error: null,
        created_at: now,
      });
  }
  await repo.queue(deliveries);
}

export type TrackingHookService = ReturnType<typeof createTrackingHookService>;

/** An organisation's tracking webhooks: signed like the receipt webhooks (X-CBEC-Signature). */
export function createTrackingHookService(deps: { db: Db; clock: Clock; audit: AuditLog; allowPrivate: boolean }) {
  const { db, clock, audit } = deps;

  function orgOf(p: Principal): string {
    const id = p.organisation?.id;
    if (!id) throw forbidden();
    return id;
  }

  return {
    async create(p: Principal | null, input: { url: string }): Promise<TrackingHook & { secret: string }> {
      requirePermission(p, 'webhooks.manage');
      const orgId = orgOf(p);
      const problem = await checkWebhookUrl(input.url, { allowPrivate: deps.allowPrivate });
      if (problem)
        throw new DomainError(
          'logistics.validation',
          { zh: `Webhook 地址不可用：${problem.message.zh}`, en: `webhook URL refused: ${problem.message.en}` },
          { errors: [problem] },
        );
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const repo = createTrackingHookRepository(trx);
        if ((await repo.ofOrganisation(orgId)).length >= MAX_HOOKS)
          throw new DomainError('logistics.limit', {
            zh: `每个组织最多 ${MAX_HOOKS} 个轨迹推送地址`,
            en: `at most ${MAX_HOOKS} tracking webhooks per organisation`,
          });
        const row = await repo.insert({
          id: newId(),
          organisation_id: orgId,
          url: input.url,
          secret: newWebhookSecret(),
          created_by: p.userId,
          created_at: now,
          failing_since: null,
        });
        await audit.append(trx, actorOf(p), [
          { action: 'logistics.hook_created', entity: 'tracking_hook', entityId: row.id, after: { url: row.url } },
        ]);
        return {
          id: row.id,
          url: row.url,
          secret: row.secret,
          pending: 0,
          failed: 0,
          failingSince: null,
          lastError: null,
          lastDeliveredAt: null,
          createdAt: row.created_at.toISOString(),
        };
      });
    },

    async list(p: Principal | null): Promise<TrackingHook[]> {
      requirePermission(p, 'webhooks.manage');
      const repo = createTrackingHookRepository(db);
      const hooks = await repo.ofOrganisation(orgOf(p));
      const status = new Map((await repo.status(hooks.map((h) => h.id))).map((s) => [s.hook_id, s]));
      return hooks.map((h) => ({
        id: h.id,
        url: h.url,
        pending: status.get(h.id)?.pending ?? 0,
        failed: status.get(h.id)?.failed ?? 0,
        failingSince: h.failing_since?.toISOString() ?? null,
        lastError: status.get(h.id)?.last_error ?? null,
        lastDeliveredAt: status.get(h.id)?.last_delivered_at?.toISOString() ?? null,
        createdAt: h.created_at.toISOString(),
      }));
    },

    async remove(p: Principal | null, id: string): Promise<void> {
      requirePermission(p, 'webhooks.manage');
      const orgId = orgOf(p);
      await db.transaction().execute(async (trx) => {
        if (!(await createTrackingHookRepository(trx).remove(orgId, id)))
          throw notFound({ zh: '轨迹推送地址', en: 'tracking webhook' });
        await audit.append(trx, actorOf(p), [{ action: 'logistics.hook_removed', entity: 'tracking_hook', entityId: id }]);
      });
    },
  };
}
