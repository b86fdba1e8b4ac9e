import ExcelJS from 'exceljs';
import { FIGURES, type Figure } from './rules/eligibility.rules.ts';

/** Excel workbooks of the commerce desks (issue 8): the applications under review and a roster. */

type Lang = 'zh' | 'en';
const CST_MS = 8 * 3_600_000;
/** An ISO time in China Standard Time, as the desks show it: YYYY-MM-DD HH:mm. */
const cst = (v: string | null): string =>
  v ? new Date(new Date(v).getTime() + CST_MS).toISOString().slice(0, 16).replace('T', ' ') : '';

const FIGURE_LABEL: Record<Figure, { zh: string; en: string }> = {
  exportsCny: { zh: '出口额（人民币）', en: 'Exports (CNY)' },
  exportsUsd: { zh: '出口额（美元）', en: 'Exports (USD)' },
  parcels: { zh: '包裹票数', en: 'Parcels' },
  refundsCny: { zh: '退税额（人民币）', en: 'Tax refunds (CNY)' },
  creditLevelRank: { zh: '信用等级分', en: 'Credit rank' },
  parkMember: { zh: '入驻园区', en: 'Park member' },
};
const STATUS: Record<string, { zh: string; en: string }> = {
  submitted: { zh: '待评审', en: 'Awaiting review' },
  approved: { zh: '已批准', en: 'Approved' },
  rejected: { zh: '已驳回', en: 'Rejected' },
};
const yesNo = (b: boolean, lang: Lang) => (b ? (lang === 'en' ? 'yes' : '是') : lang === 'en' ? 'no' : '否');

function sheet(wb: ExcelJS.Workbook, name: string, title: string, header: string[], widths: number[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.addRow([title]);
  ws.getRow(1).font = { bold: true };
  ws.addRow(header);
  ws.getRow(2).font = { bold: true };
  ws.columns.forEach((c, i) => {
    c.width = widths[i] ?? 16;
  });
  return ws;
}

export interface ApplicationLine {
  id: string;
  programmeName: string;
  orgCode: string;
  orgName: string | null;
  statement: string;
  figures: Record<string, number>;
  eligibility: unknown;
  status: string;
  score: number | null;
  scores: Record<string, number> | null;
  criteria: { key: string; name: string; nameEn: string }[];
  note: string | null;
  createdAt: string;
  decidedAt: string | null;
}

/** One row per application: programme, applicant, statement, the attached figures, decision. */
export async function applicationsWorkbook(rows: ApplicationLine[], lang: Lang, caption: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CBEC Window';
  const en = lang === 'en';
  const header = [
    en ? 'Programme' : '扶持项目',
    en ? 'Enterprise code' : '企业代码',
    en ? 'Enterprise' : '企业名称',
    en ? 'Statement' : '申报说明',
    ...FIGURES.map((f) => FIGURE_LABEL[f][lang]),
    en ? 'Eligible' : '符合条件',
    en ? 'Status' : '状态',
    en ? 'Score' : '评分',
    en ? 'Scores by criterion' : '各项得分',
    en ? 'Reason' : '决定理由',
    en ? 'Submitted (CST)' : '提交时间（北京时间）',
    en ? 'Decided (CST)' : '决定时间（北京时间）',
    en ? 'Application id' : '申报编号',
  ];
  const ws = sheet(wb, en ? 'Applications' : '扶持申报', caption, header, [
    28,
    14,
    30,
    40,
    ...FIGURES.map(() => 14),
    10,
    12,
    8,
    36,
    36,
    18,
    18,
    38,
  ]);
  for (const a of rows) {
    const eligible = !!(a.eligibility as { eligible?: boolean } | null)?.eligible;
    const scores = a.scores
      ? a.criteria
          .filter((c) => c.key in a.scores!)
          .map((c) => `${en ? c.nameEn : c.name}: ${a.scores![c.key]}`)
          .join('; ')
      : '';
    ws.addRow([
      a.programmeName,
      a.orgCode,
      a.orgName ?? '',
      a.statement,
      ...FIGURES.map((f) => a.figures[f] ?? null),
      yesNo(eligible, lang),
      STATUS[a.status]?.[lang] ?? a.status,
      a.score,
      scores,
      a.note ?? '',
      cst(a.createdAt),
      cst(a.decidedAt),
      a.id,
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface RosterSheet {
  offering: { kind: string; title: string; titleEn: string | null; startsAt: string; place: string; capacity: number };
  items: {
    userId: string;
    name: string;
    username: string | null;
    orgName: string | null;
    enrolledAt: string;
    attended: boolean;
    certificateNo: string | null;
    certificateIssuedAt: string | null;
  }[];
}

/** A course's or event's roster: who enrolled, attendance and certificates. */
export async function rosterWorkbook(r: RosterSheet, lang: Lang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CBEC Window';
  const en = lang === 'en';
  const o = r.offering;
  const title = `${en && o.titleEn ? o.titleEn : o.title} · ${cst(o.startsAt)} · ${o.place} · ${r.items.length} / ${o.capacity}`;
  const ws = sheet(
    wb,
    en ? 'Roster' : '报名名单',
    title,
    [
      en ? 'Participant' : '姓名',
      en ? 'Log-in name' : '登录名',
      en ? 'Organisation' : '单位',
      en ? 'Enrolled (CST)' : '报名时间（北京时间）',
      en ? 'Attended' : '签到',
      en ? 'Certificate no.' : '证书编号',
      en ? 'Certificate issued (CST)' : '发证时间（北京时间）',
    ],
    [20, 16, 36, 20, 10, 20, 22],
  );
  for (const x of r.items)
    ws.addRow([
      x.name,
      x.username ?? '',
      x.orgName ?? '',
      cst(x.enrolledAt),
      yesNo(x.attended, lang),
      x.certificateNo ?? '',
      cst(x.certificateIssuedAt),
    ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
