import type { AuditLog } from '../../kernel/audit.ts';
import { SYSTEM_ACTOR } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Executor } from '../../kernel/db.ts';
import type { Outbox, OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { createClearanceRepository, type DocumentRow } from './clearance.repository.ts';
import { TOPIC_WITHDRAWN, type WithdrawnPayload } from './clearance.topics.ts';
import { TOPIC_RECEIVED, type ReceivedPayload } from './intake.service.ts';
import { receiptBatch, recipientsOf } from './receipt.writer.ts';
import { ruleSetOn, type ClearanceRuleSet } from './rules/clearance.rulesets.ts';
import type { DecisionHook } from './rules/decision.rules.ts';
import { describeMismatches, matchInventory } from './rules/match.rules.ts';

export const TOPIC_REVIEWED = 'clearance.reviewed';
/** Inventories that reached 899 (closed, the goods left the country): `{ ids }`. */
export const TOPIC_CLOSED = 'clearance.closed';

export interface ClosedPayload {
  ids: string[];
}

export { TOPIC_WITHDRAWN, type WithdrawnPayload };

export interface ReviewedPayload {
  /** inventories a customs officer decided (399) by hand */
  ids: string[];
}

/**
 * The clearance pipeline as one outbox handler: a batch of intake and review events is matched,
 * decided, released and closed in one transaction (hundreds of documents per statement), so the
 * order in which the parties' messages arrive never matters and a crash replays the batch.
 */
export function clearancePipeline(deps: {
  clock: Clock;
  audit: AuditLog;
  decide: DecisionHook;
  ruleSets?: readonly ClearanceRuleSet[];
  /** Publishes follow-up events (TOPIC_CLOSED) in the pipeline's transaction. */
  outbox?: Pick<Outbox, 'publish'>;
}): OutboxHandler {
  const { clock } = deps;
  return {
    name: 'clearance.pipeline',
    topics: [TOPIC_RECEIVED, TOPIC_REVIEWED],
    batchSize: 200,
    // Matching and release join documents from different messages: batches must see each other.
    serial: true,
    async handle(events: OutboxEvent[], trx: Executor) {
      const repo = createClearanceRepository(trx);
      const now = clock.now();
      const rules = ruleSetOn(now, deps.ruleSets);
      const receipts = receiptBatch(clock);
      const ids = { inventories: [] as string[], orders: [] as string[], waybills: [] as string[], payments: [] as string[] };
      const siteDocs: string[] = [];
      const cancellations: string[] = [];
      const reviewed: string[] = [];
      const waybillKeys = new Set<string>();
      for (const e of events) {
        if (e.topic === TOPIC_REVIEWED) {
          reviewed.push(...(e.payload as ReviewedPayload).ids);
          continue;
        }
        const p = e.payload as ReceivedPayload;
        for (const k of p.waybillKeys) waybillKeys.add(k);
        if (p.kind === 'inventory') ids.inventories.push(...p.ids);
        else if (p.kind === 'order') ids.orders.push(...p.ids);
        else if (p.kind === 'waybill') ids.waybills.push(...p.ids);
        else if (p.kind === 'payment') ids.payments.push(...p.ids);
        else if (p.kind === 'cancellation') cancellations.push(...p.ids);
        else siteDocs.push(...p.ids);
      }

      // 1. Three-document match and decision.
      const statuses: { id: string; status: string; live?: boolean; info?: string | null }[] = [];
      const decisions: { id: string; lane: string; reason: string | null; decided: boolean }[] = [];
      const decided: string[] = [...reviewed];
      const matchedCounterparts = new Set<string>();
      const candidates = await repo.matchCandidates(ids);
      const ready = candidates.filter((c) => c.order && c.waybill && (!rules.requirePayment || c.payment));
      const verdicts = await deps.decide(
        ready
          .filter((c) => matchInventory(rules, c.inventory, c.order!, c.waybill!, c.payment ?? undefined).ok)
          .map((c) => ({ id: c.inventory.id, guid: c.inventory.guid, doc: c.inventory })),
        trx,
      );
      for (const c of ready) {
        const inv = c.inventory;
        const outcome = matchInventory(rules, inv, c.order!, c.waybill!, c.payment ?? undefined);
        const base = {
          messageType: 'CEB603' as const,
          documentId: inv.id,
          recipients: recipientsOf(inv),
          head: inv.head,
          preNo: inv.pre_no,
          invtNo: inv.invt_no,
        };
        if (!outcome.ok) {
          const why = describeMismatches(outcome.mismatches);
          statuses.push({ id: inv.id, status: '100', live: false, info: `${why.zh} / ${why.en}` });
          receipts.add({ ...base, status: '100', detail: `${why.zh} / ${why.en}` });
          continue;
        }
        for (const d of [c.order!, c.waybill!, ...(c.payment ? [c.payment] : [])]) {
          if (d.status !== '2' || matchedCounterparts.has(d.id)) continue;
          matchedCounterparts.add(d.id);
          statuses.push({ id: d.id, status: '120' });
          receipts.add({
            messageType: d.kind === 'order' ? 'CEB303' : d.kind === 'waybill' ? 'CEB505' : 'CEB403',
            documentId: d.id,
            recipients: recipientsOf(d),
            head: d.head,
            status: '120',
          });
        }
        receipts.add({ ...base, status: '120' });
        const verdict = verdicts.get(inv.id) ?? { lane: 'green' as const, reasons: [] };
        if (verdict.lane === 'green') {
          statuses.push({ id: inv.id, status: '399' });
          decisions.push({ id: inv.id, lane: 'green', reason: null, decided: true });
          receipts.add({ ...base, status: '399' });
          decided.push(inv.id);
        } else {
          const reason = verdict.reasons.map((r) => `${r.zh} / ${r.en}`).join('; ');
          // Held in 300 whatever the lane: the officer's review (or the joint inspection through
          // it) decides it; the lane says why it waits.
          statuses.push({ id: inv.id, status: '300' });
          decisions.push({ id: inv.id, lane: verdict.lane, reason, decided: false });
          if (verdict.lane === 'inspect') {
            receipts.add({ ...base, status: '500', detail: '查验 / selected for inspection' });
          } else if (verdict.lane === 'hold') {
            // A hold is something the seller can fix (e.g. a missing inspection filing): it is told why.
            const told = verdict.reasons.filter((r) => r.lane === 'hold');
            receipts.add({
              ...base,
              status: '300',
              detail: (told.length ? told : verdict.reasons).map((r) => `${r.zh} / ${r.en}`).join('; '),
            });
          } else {
            // The seller sees the outcome, never the rule that caused it.
            receipts.add({ ...base, status: '300' });
          }
        }
      }
      // Payment collections that arrive after their order matched.
      for (const p of await repo.paymentsOfMatchedOrders(ids.payments.filter((id) => !matchedCounterparts.has(id)))) {
        statuses.push({ id: p.id, status: '120' });
        receipts.add({ messageType: 'CEB403', documentId: p.id, recipients: recipientsOf(p), head: p.head, status: '120' });
      }

      // 2. Site and carrier documents: accepted (399); their parcels may now release or close.
      const site = await repo.documentsByIds(siteDocs);
      for (const d of site) {
        if (d.status !== '2') continue;
        statuses.push({ id: d.id, status: '399' });
        receipts.add({
          messageType: d.kind === 'arrival' ? 'CEB507' : d.kind === 'departure' ? 'CEB509' : 'CEB607',
          documentId: d.id,
          recipients: recipientsOf(d),
          head: d.head,
          preNo: d.pre_no,
          status: '399',
          detail: `${d.lines.length} 票 / parcels`,
        });
      }

      // 3. Cancellations (CEB605) of inventories that have not left the country.
      const cancelDocs = await repo.documentsByIds(cancellations);
      const targets = new Map(
        (await repo.inventoriesByInvtNo(cancelDocs.map((c) => c.head.invtNo ?? ''))).map((i) => [i.invt_no, i]),
      );
      const withdrawn: string[] = [];
      const withdrawnKeys: string[] = [];
      for (const c of cancelDocs) {
        if (c.status !== '2') continue;
        const inv = targets.get(c.head.invtNo ?? '');
        const cancelBase = {
          messageType: 'CEB605' as const,
          documentId: c.id,
          recipients: recipientsOf(c),
          head: c.head,
          preNo: c.pre_no,
        };
        const refuse = (zh: string, en: string): void => {
          statuses.push({ id: c.id, status: '100', live: false, info: `${zh} / ${en}` });
          receipts.add({ ...cancelBase, status: '100', detail: `${zh} / ${en}` });
        };
        // Intake proved that agentCode is the sender's own code; the inventory says who may withdraw it.
        const sender = c.head.agentCode ?? '';
        if (!inv || inv.head.ebcCode !== c.head.ebcCode) {
          refuse(`清单 ${c.head.invtNo} 不存在`, `no live inventory ${c.head.invtNo}`);
        } else if (sender !== inv.agent_code && sender !== inv.ebc_code) {
          refuse(
            `撤销申请单的发送企业 agentCode=${sender} 既不是清单 ${inv.invt_no} 的申报企业（${inv.agent_code}）也不是其电商企业（${inv.ebc_code}），不能撤销（规则：撤销申请只能由原清单的申报企业或电商企业发送）`,
            `the sender agentCode=${sender} is neither the declaring agent (${inv.agent_code}) nor the seller (${inv.ebc_code}) of inventory ${inv.invt_no}: rule "only the inventory's declaring agent or seller may cancel it"`,
          );
        } else if (inv.status === '899' || inv.departed) {
          refuse(
            `清单 ${inv.invt_no} 已离境${inv.status === '899' ? '结关' : '（离境单已申报）'}，不能撤销（规则：只能撤销未离境的清单）`,
            `inventory ${inv.invt_no} has ${inv.status === '899' ? 'departed and closed' : 'departed (a departure names its parcel)'}: rule "only an inventory that has not departed may be cancelled"`,
          );
        } else {
          statuses.push(
            { id: c.id, status: '399' },
            { id: inv.id, status: 'cancelled', live: false, info: `撤销 / cancelled: ${c.head.reason}` },
          );
          receipts.add({ ...cancelBase, status: '399', detail: `清单 ${inv.invt_no} 已撤销 / inventory cancelled` });
          withdrawn.push(inv.id);
          withdrawnKeys.push(`${inv.head.logisticsCode}|${inv.head.logisticsNo}`);
          receipts.add({
            messageType: 'CEB603',
            documentId: inv.id,
            recipients: recipientsOf(inv),
            head: inv.head,
            preNo: inv.pre_no,
            invtNo: inv.invt_no,
            status: '100',
            detail: `已撤销 / cancelled: ${c.head.reason ?? ''}`,
          });
        }
      }
      await repo.setStatuses(statuses, now);
      await repo.setInventoryDecisions(decisions, now);
      await repo.clearHeld(withdrawn);
      if (withdrawn.length > 0)
        await deps.outbox?.publish(trx, [{ topic: TOPIC_WITHDRAWN, payload: { ids: withdrawn } satisfies WithdrawnPayload }]);

      // 4. Release (800) and closure (899), for whatever is now ready, in either order.
      const released: string[] = [];
      // a cancelled parcel may have been the last its total-sub bill waited for
      const releasedKeys = new Set<string>([...waybillKeys, ...withdrawnKeys]);
      const closed: string[] = [];
      const moves: { id: string; status: string }[] = [];
      for (const inv of await repo.releaseCandidates(decided, [...waybillKeys], rules.releaseRequiresArrival)) {
        const base = {
          messageType: 'CEB603' as const,
          documentId: inv.id,
          recipients: recipientsOf(inv),
          head: inv.head,
          preNo: inv.pre_no,
          invtNo: inv.invt_no,
        };
        let status = inv.status;
        if (status === '399') {
          receipts.add({ ...base, status: '800' });
          released.push(inv.id);
          releasedKeys.add(`${inv.head.logisticsCode}|${inv.head.logisticsNo}`);
          status = '800';
        }
        if (status === '800' && inv.departed) {
          receipts.add({ ...base, status: '899' });
          closed.push(inv.id);
          status = '899';
        }
        moves.push({ id: inv.id, status });
      }
      await repo.setStatuses(moves, now);
      await repo.stampInventories(released, 'released_at', now);
      await repo.stampInventories(closed, 'closed_at', now);
      // Read models (statistics) fold closed exports from this event, in this same transaction.
      if (closed.length > 0)
        await deps.outbox?.publish(trx, [{ topic: TOPIC_CLOSED, payload: { ids: closed } satisfies ClosedPayload }]);

      // 5. A total-sub bill whose parcels are all released is released itself (608 800).
      const bills: DocumentRow[] = await repo.consolidationsFullyReleased([...releasedKeys]);
      await repo.setStatuses(
        bills.map((b) => ({ id: b.id, status: '800' })),
        now,
      );
      for (const b of bills) {
        receipts.add({
          messageType: 'CEB607',
          documentId: b.id,
          recipients: recipientsOf(b),
          head: b.head,
          preNo: b.pre_no,
          status: '800',
          detail: `${b.lines.length} 票 / parcels`,
        });
      }

      await receipts.flush(repo);
      if (statuses.length + moves.length > 0) {
        await deps.audit.append(trx, SYSTEM_ACTOR, [
          {
            action: 'clearance.pipeline',
            entity: 'clr_batch',
            after: {
              events: events.length,
              decided: decided.length,
              released: released.length,
              closed: closed.length,
              changed: statuses.length,
            },
          },
        ]);
      }
    },
  };
}
