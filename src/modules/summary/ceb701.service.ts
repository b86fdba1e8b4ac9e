import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound } from '../../kernel/errors.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { createCeb701PartsRepository, type Ceb701PartRow } from './ceb701-parts.repository.ts';
import { cebTime17, LIST_ROWS_PER_RESULT, renderCeb702, renderCeb792, RESULTS_PER_MESSAGE } from './summary.ceb.ts';
import { createSummaryRepository } from './summary.repository.ts';
import type { SummaryApplicationRow, SummaryDeclarationRow } from './summary.tables.ts';
import type { SummaryService } from './summary.service.ts';
import { cstDay, enterpriseScope, periodWindow, type EnterpriseScope } from './summary.shared.ts';
import { declarationOffice, readableApplication, trimDecimal } from './summary.views.ts';

/** CEB701 SummaryApplyHead as received (field names as in the standard). */
export interface Ceb701Head {
  guid: string;
  appType: string;
  appTime: string;
  appStatus: string;
  customsCode: string;
  copNo: string;
  agentCode: string;
  agentName: string;
  ebcCode: string;
  ebcName: string;
  declAgentCode: string;
  declAgentName: string;
  startTime?: string;
  endTime?: string;
  loctNo?: string;
  summaryFlag: '1' | '2';
  itemNameFlag?: '1' | '';
  msgCount: string;
  msgSeqNo: string;
  note?: string;
}

export interface Ceb701Outcome {
  accepted: boolean;
  applicationId: string | null;
  ceb702: Record<string, string>;
  ceb702Xml: string;
}

const upperGuid = (): string => newId().toUpperCase();
const monthOf14 = (t: string): string => `${t.slice(0, 4)}-${t.slice(4, 6)}`;

/** A CEB701 time (YYYYMMDDhhmmss, China time) as an instant; undefined when not a real time. */
function instantOf14(t: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(t);
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  // no rolled-over dates (30 February)
  return new Date(d.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) === t ? d : undefined;
}

/** Head fields every part of a split CEB701 must repeat: they decide what the one summary is. */
const PART_FIELDS = [
  'appType',
  'appStatus',
  'customsCode',
  'agentCode',
  'declAgentCode',
  'startTime',
  'endTime',
  'summaryFlag',
  'itemNameFlag',
  'msgCount',
] as const;

/** SummaryResultHead of one declaration (msgCount: SummaryResult blocks of ≤100 inventory rows). */
function resultHead(a: SummaryApplicationRow, d: SummaryDeclarationRow, results: number, seq: number): Record<string, string> {
  return {
    guid: a.guid,
    customsCode: declarationOffice(a, d),
    sumNo: a.sum_no,
    opDate: cebTime17(d.created_at),
    declSeqNo: d.decl_seq_no,
    entryId: d.entry_id,
    decState: d.dec_state,
    agentCode: a.agent_code,
    agentName: a.agent_name,
    ebcCode: a.ebc_code,
    ebcName: a.ebc_name,
    declAgentCode: a.decl_agent_code,
    declAgentName: a.decl_agent_name,
    grossWeight: trimDecimal(d.gross_weight),
    netWeight: trimDecimal(d.net_weight),
    msgCount: String(results),
    msgSeqNo: String(seq),
  };
}

export function createCeb701Service(deps: { db: Db; clock: Clock; summaries: SummaryService }) {
  const { db, clock, summaries } = deps;

  /** Whose summary: the consignor itself, or a declaring agent naming itself in agentCode. */
  async function scopeFor(p: Principal, head: Ceb701Head): Promise<{ scope: EnterpriseScope; agentCodes?: string[] }> {
    const own = await enterpriseScope(db, p);
    if (own.codes.includes(head.ebcCode)) return { scope: own };
    if (!own.codes.includes(head.agentCode)) throw forbidden();
    const [ebc] = await organisationDirectory(db).byCodes([head.ebcCode]);
    if (!ebc) throw notFound({ zh: `电商企业${head.ebcCode}`, en: `e-commerce enterprise ${head.ebcCode}` });
    const codes = [ebc.customs_code, ebc.uscc].filter((c): c is string => !!c);
    // An agent summarises only what it declared itself (清单 agentCode).
    return { scope: { orgId: ebc.id, name: ebc.name, codes, primaryCode: head.ebcCode }, agentCodes: own.codes };
  }

  /**
   * Keeps one part of a split CEB701 (by sender, consignor and copNo; a part sent again replaces
   * the one before) unless its deciding head fields differ from the parts already received;
   * answers every part so far.
   */
  async function stagePart(
    key: { senderOrgId: string; ebcCode: string; copNo: string },
    part: { msgSeqNo: number; msgCount: number; head: Ceb701Head; invtNos: string[] },
    now: Date,
  ): Promise<{ differs: string[] } | { all: Ceb701PartRow[] }> {
    return db.transaction().execute(async (trx) => {
      const parts = createCeb701PartsRepository(trx);
      await parts.lock(key.senderOrgId, key.ebcCode, key.copNo);
      const others = (await parts.list(key)).filter((x) => x.msg_seq_no !== part.msgSeqNo);
      const h = part.head as unknown as Record<string, string | undefined>;
      const differs = PART_FIELDS.filter((f) => others.some((x) => (x.head[f] ?? '') !== (h[f] ?? '')));
      if (differs.length) return { differs };
      const all = await parts.put(
        key,
        {
          msgSeqNo: part.msgSeqNo,
          msgCount: part.msgCount,
          guid: part.head.guid,
          head: { ...h } as Record<string, string>,
          invtNos: part.invtNos,
        },
        now,
      );
      return { all };
    });
  }

  const service = {
    /**
     * A CEB701 汇总申请单 from the consignor or its agent: forms the declarations like the web
     * submit and answers CEB702 (399 formed / 100 refused, with the reason). The CEB792 results are
     * read with `ceb792` afterwards. Only appType 1 and appStatus 2 (declare) are taken; a period
     * is one calendar month: the window form must lie inside one, the list form must close in one.
     */
    async apply(p: Principal | null, head: Ceb701Head, invtNos: string[]): Promise<Ceb701Outcome> {
      requirePermission(p, 'summary.submit');
      const sender: Principal = p;
      const { scope, agentCodes } = await scopeFor(p, head);
      const now = clock.now();
      const receipt = (status: string, info: string, extra: { preNo?: string; sumNo?: string } = {}) => {
        const r: Record<string, string> = {
          guid: head.guid,
          agentCode: head.agentCode,
          ebcCode: head.ebcCode,
          copNo: head.copNo,
          preNo: extra.preNo ?? `B${cstDay(now).replaceAll('-', '')}000000000`,
          ...(extra.sumNo ? { sumNo: extra.sumNo } : {}),
          msgSeqNo: head.msgSeqNo,
          returnStatus: status,
          returnTime: cebTime17(now),
          returnInfo: info,
        };
        return r;
      };
      const refuse = (info: string): Ceb701Outcome => {
        const r = receipt('100', info);
        return { accepted: false, applicationId: null, ceb702: r, ceb702Xml: renderCeb702(upperGuid(), [r]) };
      };
      // The platform answers as customs and forms the declarations at once (399, decState 10), so
      // no application is ever pending when a change (2) or delete (3) could reach it; a formed
      // declaration is amended or withdrawn by the declaration procedure (ADR 0015).
      if (head.appType !== '1')
        return refuse(
          '仅受理新增汇总申请(appType=1)：汇总申请受理即形成报关单，已形成的报关单按报关单修改、撤销程序办理 / ' +
            'only new applications (appType 1) are taken: a summary forms its declarations on acceptance; a formed declaration is amended or withdrawn through the declaration procedure',
        );
      if (head.appStatus !== '2') return refuse('仅受理申报(appStatus=2) / only declared applications (appStatus 2) are taken');
      const msgCount = Number(head.msgCount);
      const msgSeqNo = Number(head.msgSeqNo);
      if (!Number.isInteger(msgCount) || !Number.isInteger(msgSeqNo) || msgCount < 1 || msgSeqNo < 1 || msgSeqNo > msgCount)
        return refuse(`msgSeqNo=${head.msgSeqNo}须在1至msgCount=${head.msgCount}之间 / msgSeqNo must lie between 1 and msgCount`);
      const repo = createSummaryRepository(db);
      const key = { senderOrgId: p.organisation!.id, ebcCode: head.ebcCode, copNo: head.copNo };
      let listed = invtNos;
      if (msgCount > 1) {
        // A split application: each part waits until all have arrived; the summary is formed once.
        if (await repo.applicationByCop(scope.orgId, head.copNo))
          return refuse(`企业内部编号${head.copNo}已使用 / copNo ${head.copNo} is already used`);
        const staged = await stagePart(key, { msgSeqNo, msgCount, head, invtNos }, now);
        if ('differs' in staged)
          return refuse(
            `分批报文的${staged.differs.join('、')}与已收到的部分不一致 / ${staged.differs.join(', ')} differ from the parts already received`,
          );
        if (staged.all.length < msgCount) {
          const r = receipt(
            '2',
            `分批报文已收到${staged.all.length}/${msgCount}份，全部到齐后汇总 / ${staged.all.length} of ${msgCount} parts received; the summary is formed when all have arrived`,
          );
          return { accepted: true, applicationId: null, ceb702: r, ceb702Xml: renderCeb702(upperGuid(), [r]) };
        }
        listed = [...new Set(staged.all.flatMap((x) => x.invt_nos))];
      }
      try {
        return await form(listed);
      } finally {
        // formed or refused: the parts are done with (a refused application is sent again whole)
        if (msgCount > 1) await createCeb701PartsRepository(db).remove(key);
      }

      async function form(listed: string[]): Promise<Ceb701Outcome> {
        let period: string;
        let only: string[] | undefined;
        let window: { from: Date; to: Date } | undefined;
        if (head.startTime && head.endTime) {
          // If startTime/endTime are given the list is ignored (XSD annotation); the window is honoured.
          const start = instantOf14(head.startTime);
          const end = instantOf14(head.endTime);
          if (!start || !end)
            return refuse(
              'startTime/endTime须为有效时间YYYYMMDDhhmmss / startTime and endTime must be real times YYYYMMDDhhmmss',
            );
          if (monthOf14(head.startTime) !== monthOf14(head.endTime) || end < start)
            return refuse('起止时间须在同一自然月内 / startTime and endTime must lie in one calendar month');
          period = monthOf14(head.startTime);
          const month = periodWindow(period);
          // endTime is the window's last second: inventories closed up to its end
          window = { from: start, to: new Date(Math.min(end.getTime() + 1000, month.to.getTime())) };
        } else {
          if (!listed.length) return refuse('未列明清单且未给出起止时间 / neither inventories nor a time window given');
          const months = await repo.closedMonths(scope.codes, listed);
          const missing = listed.filter((n) => !months.has(n));
          if (missing.length)
            return refuse(
              `清单未结关或不属于该企业或非B类: ${missing.slice(0, 10).join(',')} / not closed B-type inventories of the enterprise`,
            );
          const distinct = [...new Set(months.values())];
          if (distinct.length !== 1) return refuse('所列清单须在同一月份结关 / listed inventories must close in one month');
          const claimed = await repo.claimedInvtNos(listed);
          if (claimed.length)
            return refuse(`清单已在其他汇总申请中: ${claimed.slice(0, 10).join(',')} / inventories already in another summary`);
          period = distinct[0]!;
          only = listed;
        }
        try {
          const a = await summaries.submitAs(
            sender,
            scope,
            {
              period,
              summaryFlag: head.summaryFlag,
              itemNameFlag: head.itemNameFlag === '1' ? '1' : '',
              copNo: head.copNo,
              declAgentCode: head.declAgentCode,
              declAgentName: head.declAgentName,
              agentCode: head.agentCode,
              agentName: head.agentName,
              customsCode: head.customsCode,
            },
            {
              source: 'ceb701',
              guid: head.guid,
              ...(only ? { invtNos: only } : {}),
              ...(agentCodes ? { agentCodes } : {}),
              ...(window ? { window } : {}),
            },
          );
          const r = receipt(
            '399',
            `汇总成功，形成报关单${a.declarations.length}份 / summary formed: ${a.declarations.length} declarations`,
            {
              preNo: a.preNo,
              sumNo: a.sumNo,
            },
          );
          return { accepted: true, applicationId: a.id, ceb702: r, ceb702Xml: renderCeb702(upperGuid(), [r]) };
        } catch (e) {
          // Business refusals answer as a receipt; anything else is a fault.
          if (e instanceof DomainError && e.code.startsWith('summary.')) return refuse(`${e.bilingual.zh} / ${e.bilingual.en}`);
          throw e;
        }
      }
    },

    /**
     * CEB701 taken on the CEB endpoint (clearance intake, SummaryIntakePort): the receipt plus the
     * first SummaryResultHead of every declaration formed, for the sender's receipt feed.
     */
    async intake(
      p: Principal,
      head: Record<string, string>,
      invtNos: string[],
    ): Promise<{
      accepted: boolean;
      applicationId: string | null;
      ceb702: Record<string, string>;
      ceb792: Record<string, string>[];
      /** the consignor's organisation: it receives the CEB792 results too when an agent sent the CEB701 */
      consignorOrgId: string | null;
    }> {
      const out = await service.apply(p, head as unknown as Ceb701Head, invtNos);
      const none = {
        accepted: out.accepted,
        applicationId: out.applicationId,
        ceb702: out.ceb702,
        ceb792: [],
        consignorOrgId: null,
      };
      if (!out.applicationId) return none;
      const repo = createSummaryRepository(db);
      const a = await repo.applicationById(out.applicationId);
      if (!a) return none;
      const ds = await repo.declarationsOf([a.id]);
      const heads = await Promise.all(
        ds.map(async (d) => {
          const rows = d.inventory_count > 0 ? await repo.countLineage(d.id) : 0;
          return resultHead(a, d, Math.max(1, Math.ceil(rows / LIST_ROWS_PER_RESULT)), 1);
        }),
      );
      return { accepted: true, applicationId: a.id, ceb702: out.ceb702, ceb792: heads, consignorOrgId: a.org_id };
    },

    /**
     * CEB792 汇总结果单 of one declaration: one SummaryResult per ≤100 inventory lines
     * (msgCount/msgSeqNo number them), ≤100 SummaryResult per message; `msg` pages messages.
     */
    async ceb792(
      p: Principal | null,
      applicationId: string,
      declarationId: string,
      msg = 1,
    ): Promise<{ xml: string; messages: number; msg: number }> {
      requirePermission(p, 'summary.read');
      const repo = createSummaryRepository(db);
      const { application: a, declarations } = await readableApplication(p, repo, await repo.applicationById(applicationId));
      const d = declarations.find((x) => x.id === declarationId);
      if (!d) throw notFound({ zh: '报关单', en: 'declaration' });
      const rows = d.inventory_count > 0 ? await repo.countLineage(d.id) : 0;
      const results = Math.max(1, Math.ceil(rows / LIST_ROWS_PER_RESULT));
      const messages = Math.ceil(results / RESULTS_PER_MESSAGE);
      const page = Math.min(Math.max(1, msg), messages);
      const firstResult = (page - 1) * RESULTS_PER_MESSAGE;
      const lineage = await repo.lineage(d.id, {
        limit: RESULTS_PER_MESSAGE * LIST_ROWS_PER_RESULT,
        offset: firstResult * LIST_ROWS_PER_RESULT,
      });
      const head = (seq: number): Record<string, string> => resultHead(a, d, results, seq);
      const out: { head: Record<string, string>; list: Record<string, string>[] }[] = [];
      for (let i = 0; i * LIST_ROWS_PER_RESULT < Math.max(lineage.length, 1); i++) {
        const chunk = lineage.slice(i * LIST_ROWS_PER_RESULT, (i + 1) * LIST_ROWS_PER_RESULT);
        out.push({
          head: head(firstResult + i + 1),
          list: chunk.map((l) => ({ invtNo: l.invt_no, logisticsNo: l.logistics_no, gnum: String(l.gnum), gcode: l.gcode })),
        });
      }
      return { xml: renderCeb792(upperGuid(), out), messages, msg: page };
    },
  };
  return service;
}

export type Ceb701Service = ReturnType<typeof createCeb701Service>;
