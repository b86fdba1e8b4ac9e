import type { Bilingual } from '../../../kernel/errors.ts';

/**
 * What customs says of a parcel, as the floor needs it before packing or dispatching it: its
 * live inventory (none when never declared, rejected (100) or cancelled) and the inventory's
 * joint-inspection task, if the risk engine selected it.
 */
export interface GateFacts {
  logisticsCode: string;
  logisticsNo: string;
  inventory: { documentId: string; invtNo: string; status: string; lane: string | null } | null;
  task: { id: string; status: string } | null;
}

/**
 * Why a parcel may not be packed or dispatched:
 * - `not_declared`: no live inventory (never declared, or rejected / cancelled);
 * - `inspection_open`: its inspection task is open, or customs selected it for inspection (300,
 *   lane `inspect`) and the task is not there yet: it stays at the inspection station;
 * - `awaiting_customs`: declared, but customs has not checked it yet (1–4, 120), or inspected and
 *   waiting for customs' decision (300, lane `inspect`, task completed);
 * - `departed`: closed (899) or summarised: it has left already;
 * - `customs_state`: any other state (detained, returned …) in which goods do not move.
 */
export type GateReason = 'not_declared' | 'inspection_open' | 'awaiting_customs' | 'departed' | 'customs_state';

export interface GateRefusal {
  logisticsCode: string;
  logisticsNo: string;
  reason: GateReason;
  message: Bilingual;
}

export type GateAction = 'pack' | 'dispatch';

/** Customs states in which the goods may be bagged and leave for the port: held for review (300, not for inspection), decided (399), released (800). */
const MAY_MOVE = new Set(['300', '399', '800']);
const NOT_YET_CHECKED = new Set(['1', '2', '3', '4', '120']);
const DEPARTED = new Set(['899', 'summarised']);

/** Selected for inspection and not yet inspected: the parcel belongs at the inspection station. */
export function atInspection(f: GateFacts): boolean {
  if (!f.inventory) return false;
  if (f.task) return f.task.status === 'open';
  return f.inventory.status === '300' && f.inventory.lane === 'inspect';
}

const VERB: Readonly<Record<GateAction, Bilingual>> = {
  pack: { zh: '装袋', en: 'packed' },
  dispatch: { zh: '出库', en: 'dispatched' },
};

/**
 * The rule (issue 7 audit): a parcel may be packed or dispatched only when its inventory is
 * declared and live (not rejected or cancelled), in a state customs lets goods move in, and it
 * has no open inspection task. Answers null when it may, else the refusal naming the waybill
 * number and the reason, Chinese first.
 */
export function gateRefusal(action: GateAction, f: GateFacts): GateRefusal | null {
  const v = VERB[action];
  const no = f.logisticsNo;
  const refuse = (reason: GateReason, zh: string, en: string): GateRefusal => ({
    logisticsCode: f.logisticsCode,
    logisticsNo: no,
    reason,
    message: { zh, en },
  });
  const inv = f.inventory;
  if (!inv)
    return refuse(
      'not_declared',
      `包裹 ${no} 没有有效的出口清单（未申报，或清单已退单、已撤销），不能${v.zh}（规则：只有已申报且未退单、未撤销的包裹才能装袋出库）`,
      `parcel ${no} has no live export inventory (not declared, or rejected or cancelled) and may not be ${v.en}: rule "only a declared parcel whose inventory is neither rejected nor cancelled may be packed or dispatched"`,
    );
  if (atInspection(f))
    return refuse(
      'inspection_open',
      `包裹 ${no}（清单 ${inv.invtNo}）有未完成的查验任务，须留在查验台，查验完成前不能${v.zh}`,
      `parcel ${no} (inventory ${inv.invtNo}) has an open inspection task: it stays at the inspection station and may not be ${v.en} until the task is completed`,
    );
  if (inv.status === '300' && inv.lane === 'inspect')
    return refuse(
      'awaiting_customs',
      `包裹 ${no}（清单 ${inv.invtNo}）查验已结束，等待海关审结（状态 300），不能${v.zh}`,
      `parcel ${no} (inventory ${inv.invtNo}) has been inspected and waits for customs' decision (status 300): it may not be ${v.en} yet`,
    );
  if (MAY_MOVE.has(inv.status)) return null;
  if (NOT_YET_CHECKED.has(inv.status))
    return refuse(
      'awaiting_customs',
      `包裹 ${no}（清单 ${inv.invtNo}）尚未经海关审核（状态 ${inv.status}），不能${v.zh}：待海关回执后再扫描`,
      `parcel ${no} (inventory ${inv.invtNo}) has not been checked by customs yet (status ${inv.status}) and may not be ${v.en}: scan it again once customs has answered`,
    );
  if (DEPARTED.has(inv.status))
    return refuse(
      'departed',
      `包裹 ${no}（清单 ${inv.invtNo}）已结关离境（状态 ${inv.status}），不能再${v.zh}`,
      `parcel ${no} (inventory ${inv.invtNo}) has departed and is closed (status ${inv.status}): it may not be ${v.en} again`,
    );
  return refuse(
    'customs_state',
    `包裹 ${no}（清单 ${inv.invtNo}）的海关状态 ${inv.status} 不允许${v.zh}`,
    `parcel ${no} (inventory ${inv.invtNo}) is in customs status ${inv.status}, in which it may not be ${v.en}`,
  );
}

/** One bilingual message for a batch refused for some of its parcels, Chinese first. */
export function batchRefusal(action: GateAction, refusals: GateRefusal[]): Bilingual {
  const v = VERB[action];
  return {
    zh: `${refusals.length} 个包裹不能${v.zh}，本次全部未执行：${refusals.map((r) => r.message.zh).join('；')}`,
    en: `${refusals.length} parcel(s) may not be ${v.en}, so nothing was ${v.en}: ${refusals.map((r) => r.message.en).join('; ')}`,
  };
}
