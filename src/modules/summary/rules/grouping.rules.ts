import { effectiveKeys, type HeadField, type LineField, type SummaryRuleSet } from './summary.rulesets.ts';

/**
 * The grouping, in memory: the reference the SQL grouping (summary.repository.ts) is tested
 * against, and what the table-driven tests pin down. Decimals are summed as scaled integers
 * (5 places, as the CEB N19,5 fields), never as floats.
 */
export interface InventoryLineInput {
  inventoryId: string;
  invtNo: string;
  logisticsNo: string;
  gnum: number;
  statisticsFlag: string;
  head: Record<HeadField, string> & { grossWeight: string; netWeight: string };
  /** qty/unit as declared; qty1/unit1 in the first legal unit (法定第一计量单位, one per HS code) */
  line: Record<LineField, string> & { gname: string; qty: string; totalPrice: string; qty1: string; unit1: string };
}

export interface GroupedLine {
  lineNo: number;
  key: Record<string, string>;
  gcode: string;
  gname: string;
  country: string;
  currency: string;
  unit: string;
  qty: string;
  totalPrice: string;
  sources: { invtNo: string; gnum: number; logisticsNo: string }[];
}

export interface GroupedDeclaration {
  seq: number;
  key: Record<string, string>;
  grossWeight: string;
  netWeight: string;
  inventoryCount: number;
  lines: GroupedLine[];
}

const SCALE = 100000n;

export function toScaled(v: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(v.trim());
  if (!m) throw new Error(`not a decimal: ${v}`);
  const frac = (m[3] ?? '').padEnd(5, '0').slice(0, 5);
  const n = BigInt(m[2] || '0') * SCALE + BigInt(frac || '0');
  return m[1] ? -n : n;
}

export function fromScaled(n: bigint): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const int = a / SCALE;
  const frac = (a % SCALE).toString().padStart(5, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

const keyOf = (fields: readonly string[], rec: Record<string, string>): string[] => fields.map((f) => rec[f] ?? '');
const cmp = (a: string[], b: string[]): number => {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
};

/**
 * B-type inventory lines → declarations. A-type (simplified, 4-digit HS, no refund) lines are
 * left out: they go to statistics only (CEB603 statisticsFlag annotation).
 */
export function groupLines(
  rs: SummaryRuleSet,
  flags: { summaryFlag: '1' | '2'; itemNameFlag: '1' | '' },
  input: readonly InventoryLineInput[],
): GroupedDeclaration[] {
  const keys = effectiveKeys(rs, flags.summaryFlag, flags.itemNameFlag);
  const byDeclaredUnit = keys.line.includes('unit');
  const decls = new Map<
    string,
    {
      key: string[];
      inventories: Map<string, { g: bigint; n: bigint }>;
      lines: Map<string, { key: string[]; rows: InventoryLineInput[] }>;
    }
  >();
  for (const r of input) {
    if (r.statisticsFlag !== 'B') continue;
    const hk = keyOf(keys.head, r.head);
    const hs = JSON.stringify(hk);
    let d = decls.get(hs);
    if (!d) decls.set(hs, (d = { key: hk, inventories: new Map(), lines: new Map() }));
    d.inventories.set(r.inventoryId, { g: toScaled(r.head.grossWeight), n: toScaled(r.head.netWeight) });
    const lk = keyOf(keys.line, r.line);
    const ls = JSON.stringify(lk);
    let l = d.lines.get(ls);
    if (!l) d.lines.set(ls, (l = { key: lk, rows: [] }));
    l.rows.push(r);
  }
  const ordered = [...decls.values()].sort((a, b) => cmp(a.key, b.key));
  return ordered.map((d, i) => {
    let g = 0n;
    let n = 0n;
    for (const w of d.inventories.values()) {
      g += w.g;
      n += w.n;
    }
    const lines = [...d.lines.values()].sort((a, b) => cmp(a.key, b.key));
    return {
      seq: i + 1,
      key: Object.fromEntries(keys.head.map((f, k) => [f, d.key[k]!])),
      grossWeight: fromScaled(g),
      netWeight: fromScaled(n),
      inventoryCount: d.inventories.size,
      lines: lines.map((l, j) => {
        const rows = [...l.rows].sort((a, b) => (a.invtNo < b.invtNo ? -1 : a.invtNo > b.invtNo ? 1 : a.gnum - b.gnum));
        const first = rows[0]!;
        // Without itemNameFlag the line is named by its classification: the smallest declared
        // goods name of the group stands for it, so the name does not depend on arrival order.
        const gname = rows.map((x) => (keys.line.includes('itemName') ? x.line.itemName : x.line.gname)).sort()[0]!;
        return {
          lineNo: j + 1,
          key: Object.fromEntries(keys.line.map((f, k) => [f, l.key[k]!])),
          gcode: first.line.gcode,
          gname,
          country: first.line.country,
          currency: first.line.currency,
          // With the declared unit in the key (2014/2016) its quantities add up; without it (194号)
          // declared units differ within a line, so the line sums the quantities in the legal unit.
          unit: byDeclaredUnit ? first.line.unit : rows.map((x) => x.line.unit1).sort()[0]!,
          qty: fromScaled(rows.reduce((a, x) => a + toScaled(byDeclaredUnit ? x.line.qty : x.line.qty1), 0n)),
          totalPrice: fromScaled(rows.reduce((a, x) => a + toScaled(x.line.totalPrice), 0n)),
          sources: rows.map((x) => ({ invtNo: x.invtNo, gnum: x.gnum, logisticsNo: x.logisticsNo })),
        };
      }),
    };
  });
}
