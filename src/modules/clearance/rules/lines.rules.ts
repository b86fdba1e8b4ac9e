import type { Fields } from './match.rules.ts';

/**
 * What intake checks in the lines of an entity, as pure functions over what one batch query per
 * message found: declared products against their filing, the parcels a total-sub bill (CEB607) or
 * an arrival (CEB507) names against the declared inventories. Each answers the problems to put in
 * the entity's receipt, line by line (empty: the lines pass).
 */

export interface Bilingual {
  zh: string;
  en: string;
}

/** Lines named in one receipt at most; the rest are counted (a receipt's returnInfo is 1000 characters). */
const MAX_NAMED = 10;

/** The problems of several lines as one bilingual text, the first MAX_NAMED named and the rest counted. */
export function joinProblems(problems: readonly Bilingual[]): Bilingual {
  const named = problems.slice(0, MAX_NAMED);
  const more = problems.length - named.length;
  return {
    zh: named.map((p) => p.zh).join('；') + (more > 0 ? `；另有 ${more} 行` : ''),
    en: named.map((p) => p.en).join('; ') + (more > 0 ? `; and ${more} more line(s)` : ''),
  };
}

/** What customs filed of a product that its declared line must repeat. */
export interface FiledCodes {
  hsCode: string;
  legalUnit1: string;
}

/**
 * Lines of a seller's order or inventory against its filed products (`${ebcCode}|${itemNo}` →
 * filing): `missing` names the item numbers not filed; `mismatches` the inventory lines whose HS
 * code (gcode) or first legal unit (unit1) differs from the filing, with both values. Order lines
 * carry neither field and are checked for filing only.
 */
export function productLineProblems(
  ebcCode: string,
  lines: readonly Fields[],
  filed: ReadonlyMap<string, FiledCodes>,
): { missing: string[]; mismatches: Bilingual[] } {
  const missing: string[] = [];
  const mismatches: Bilingual[] = [];
  lines.forEach((l, i) => {
    const p = filed.get(`${ebcCode}|${l.itemNo}`);
    if (!p) {
      missing.push(l.itemNo ?? '');
      return;
    }
    const gnum = l.gnum ?? String(i + 1);
    for (const [field, declared, wanted, zh] of [
      ['gcode', l.gcode, p.hsCode, '商品编码'],
      ['unit1', l.unit1, p.legalUnit1, '第一法定计量单位'],
    ] as const) {
      if (declared === undefined || declared === wanted) continue;
      mismatches.push({
        zh: `第 ${gnum} 行（商品 ${l.itemNo}）${zh} ${field}=${declared} 与备案的 ${wanted} 不符`,
        en: `line ${gnum} (item ${l.itemNo}): ${field} ${declared} differs from the filed ${wanted}`,
      });
    }
  });
  return { missing, mismatches };
}

/** A live inventory as a total-sub bill line names it. */
export interface BillTarget {
  invtNo: string;
  logisticsNo: string;
  /** logisticsCode|logisticsNo of the inventory */
  waybillKey: string;
  agentCode: string;
  ebcCode: string;
}

/** A live total-sub bill binding a parcel (its consolidation event), as one probe per parcel found it. */
export interface BoundBill {
  documentId: string;
  /** the bill's billNo (提运单号) */
  billNo: string;
}

/**
 * The lines of a total-sub bill (CEB607): each must name a live inventory (invtNo) of the same
 * parcel (its logisticsNo, and the bill's carrier: the binding is keyed logisticsCode|logisticsNo)
 * whose declaring agent or seller is the bill's sender (any of `senderCodes`). A bill binds only
 * parcels its sender declared: an agent cannot bind, and so release, another party's parcels.
 * With `bound` (waybill key → live bills binding it), a parcel already bound to another live bill
 * is refused too: a parcel travels under one master bill. The bill's own earlier version (`self`,
 * the stored document an appType 2 change replaces) does not count.
 */
export function billLineProblems(
  head: Fields,
  lines: readonly Fields[],
  inventories: ReadonlyMap<string, BillTarget>,
  senderCodes: ReadonlySet<string>,
  bound?: { bills: ReadonlyMap<string, readonly BoundBill[]>; self: string | null },
): Bilingual[] {
  const out: Bilingual[] = [];
  lines.forEach((l, i) => {
    const gnum = l.gnum ?? String(i + 1);
    const at = {
      zh: `第 ${gnum} 行（logisticsNo=${l.logisticsNo ?? ''}）`,
      en: `line ${gnum} (logisticsNo ${l.logisticsNo ?? ''})`,
    };
    if (!l.invtNo) {
      out.push({ zh: `${at.zh}未填清单编号 invtNo`, en: `${at.en}: no invtNo (each line names the parcel's inventory)` });
      return;
    }
    const inv = inventories.get(l.invtNo);
    if (!inv) {
      out.push({ zh: `${at.zh}清单 ${l.invtNo} 不存在或已失效`, en: `${at.en}: no live inventory ${l.invtNo}` });
    } else if (inv.logisticsNo !== l.logisticsNo) {
      out.push({
        zh: `${at.zh}清单 ${l.invtNo} 的物流运单号是 ${inv.logisticsNo}`,
        en: `${at.en}: inventory ${l.invtNo} is for logisticsNo ${inv.logisticsNo}`,
      });
    } else if (inv.waybillKey !== `${head.logisticsCode ?? ''}|${l.logisticsNo}`) {
      out.push({
        zh: `${at.zh}清单 ${l.invtNo} 的物流企业不是总分单的 logisticsCode=${head.logisticsCode ?? ''}`,
        en: `${at.en}: inventory ${l.invtNo} names another carrier than the bill's logisticsCode ${head.logisticsCode ?? ''}`,
      });
    } else if (!senderCodes.has(inv.agentCode) && !senderCodes.has(inv.ebcCode)) {
      out.push({
        zh: `${at.zh}清单 ${l.invtNo} 的申报企业和电商企业都不是总分单的发送企业 agentCode=${head.agentCode ?? ''}`,
        en: `${at.en}: the sender agentCode ${head.agentCode ?? ''} is neither the declaring agent nor the seller of inventory ${l.invtNo}`,
      });
    } else {
      const others = (bound?.bills.get(inv.waybillKey) ?? []).filter((b) => b.documentId !== bound?.self);
      if (others.length) {
        const names = [...new Set(others.map((b) => b.billNo))].join('、');
        out.push({
          zh: `${at.zh}已绑定总分单 ${names}（清单 ${l.invtNo}）`,
          en: `${at.en}: already bound to bill ${names.replaceAll('、', ', ')} (inventory ${l.invtNo})`,
        });
      }
    }
  });
  return out;
}

/**
 * The lines of an arrival (CEB507): each parcel (the head's logisticsCode|logisticsNo) must be
 * declared by a live inventory. Any filed site operator may report any carrier's parcels (a
 * supervision centre receives them all); it cannot report parcels nobody declared.
 */
export function arrivalLineProblems(head: Fields, lines: readonly Fields[], declared: ReadonlySet<string>): Bilingual[] {
  const out: Bilingual[] = [];
  lines.forEach((l, i) => {
    if (declared.has(`${head.logisticsCode ?? ''}|${l.logisticsNo ?? ''}`)) return;
    const gnum = l.gnum ?? String(i + 1);
    out.push({
      zh: `第 ${gnum} 行（logisticsNo=${l.logisticsNo ?? ''}）没有物流企业 ${head.logisticsCode ?? ''} 的有效申报清单`,
      en: `line ${gnum} (logisticsNo ${l.logisticsNo ?? ''}): no live inventory declares this parcel of carrier ${head.logisticsCode ?? ''}`,
    });
  });
  return out;
}

/**
 * The lines of a departure (CEB509): with a billNo in the head, each parcel (the head's
 * logisticsCode|logisticsNo) must be bound to a live total-sub bill of that billNo (`bound`:
 * waybill key → the live bills binding it); without one, it must at least be declared by a live
 * inventory (`declared`). A carrier cannot report departed, and so close, parcels of another
 * flight or parcels nobody declared.
 */
export function departureLineProblems(
  head: Fields,
  lines: readonly Fields[],
  bound: ReadonlyMap<string, readonly BoundBill[]>,
  declared: ReadonlySet<string>,
): Bilingual[] {
  const out: Bilingual[] = [];
  const code = head.logisticsCode ?? '';
  const billNo = head.billNo ?? '';
  lines.forEach((l, i) => {
    const key = `${code}|${l.logisticsNo ?? ''}`;
    const gnum = l.gnum ?? String(i + 1);
    const at = {
      zh: `第 ${gnum} 行 DepartureList/logisticsNo=${l.logisticsNo ?? ''}`,
      en: `line ${gnum} DepartureList/logisticsNo ${l.logisticsNo ?? ''}`,
    };
    if (!billNo) {
      if (declared.has(key)) return;
      out.push({
        zh: `${at.zh}：没有物流企业 ${code} 的有效申报清单`,
        en: `${at.en}: no live inventory declares this parcel of carrier ${code}`,
      });
      return;
    }
    const bills = bound.get(key) ?? [];
    if (bills.some((b) => b.billNo === billNo)) return;
    const others = [...new Set(bills.map((b) => b.billNo))];
    out.push(
      others.length
        ? {
            zh: `${at.zh}：未绑定提运单号 billNo=${billNo} 的有效总分单（已绑定总分单 ${others.join('、')}）`,
            en: `${at.en}: not bound to a live total-sub bill with billNo ${billNo} (it is bound to bill ${others.join(', ')})`,
          }
        : {
            zh: `${at.zh}：未绑定任何有效总分单（billNo=${billNo}）`,
            en: `${at.en}: not bound to any live total-sub bill (billNo ${billNo})`,
          },
    );
  });
  return out;
}
