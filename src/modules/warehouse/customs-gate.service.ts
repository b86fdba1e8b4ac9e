import type { Executor } from '../../kernel/db.ts';
import { parcelCustomsLookup } from '../clearance/index.ts';
import { gateRefusal, type GateAction, type GateFacts, type GateRefusal } from './rules/customs-gate.rules.ts';
import type { InspectionPort, InspectionTaskFacts } from './warehouse.ports.ts';

/** A declared parcel as customs holds it: its carrier and live inventory. */
export interface DeclaredParcel {
  logisticsCode: string;
  logisticsNo: string;
  logisticsName: string | null;
  documentId: string;
  invtNo: string;
  tradeMode: string;
  status: string;
  lane: string | null;
}

export interface ParcelCustoms {
  facts: GateFacts;
  declared: DeclaredParcel | null;
  task: InspectionTaskFacts | null;
}

const key = (code: string, no: string) => `${code}|${no}`;

export type CustomsGate = ReturnType<typeof createCustomsGate>;

/**
 * What the floor asks customs before a parcel moves on: the live inventory of each (carrier,
 * waybill number) — never of the number alone, which two carriers may share — and its
 * inspection task through the InspectionPort. Without the port, the inventory's lane (300
 * `inspect`) still keeps a selected parcel at the station.
 */
export function createCustomsGate(deps: { db: Executor; inspection?: InspectionPort | undefined }) {
  /** Every carrier's live inventory bearing these numbers. */
  async function declaredByNo(logisticsNos: string[]): Promise<DeclaredParcel[]> {
    return (await parcelCustomsLookup(deps.db).declared(logisticsNos)).map((d) => ({
      // the waybill key is `logisticsCode|logisticsNo`
      logisticsCode: d.waybillKey.split('|')[0]!,
      logisticsNo: d.logisticsNo,
      logisticsName: d.logisticsName,
      documentId: d.documentId,
      invtNo: d.invtNo,
      tradeMode: d.tradeMode,
      status: d.status,
      lane: d.lane,
    }));
  }

  async function customsOf(parcels: { logisticsCode: string; logisticsNo: string }[]): Promise<ParcelCustoms[]> {
    const declared = new Map(
      (await declaredByNo(parcels.map((x) => x.logisticsNo))).map((d) => [key(d.logisticsCode, d.logisticsNo), d]),
    );
    const ids = parcels.flatMap((x) => declared.get(key(x.logisticsCode, x.logisticsNo))?.documentId ?? []);
    const tasks = deps.inspection && ids.length ? await deps.inspection.tasksOf(ids) : new Map<string, InspectionTaskFacts>();
    return parcels.map((x) => {
      const d = declared.get(key(x.logisticsCode, x.logisticsNo)) ?? null;
      const task = d ? (tasks.get(d.documentId) ?? null) : null;
      return {
        declared: d,
        task,
        facts: {
          logisticsCode: x.logisticsCode,
          logisticsNo: x.logisticsNo,
          inventory: d ? { documentId: d.documentId, invtNo: d.invtNo, status: d.status, lane: d.lane } : null,
          task: task ? { id: task.id, status: task.status } : null,
        },
      };
    });
  }

  return {
    declaredByNo,
    customsOf,
    /** The parcels that may not be packed (or dispatched), each with its reason; empty when all may. */
    async refusals(action: GateAction, parcels: { logisticsCode: string; logisticsNo: string }[]): Promise<GateRefusal[]> {
      return (await customsOf(parcels)).flatMap((c) => gateRefusal(action, c.facts) ?? []);
    },
  };
}
