import { validateCeb, type CebMessage, type ExportMessageType } from '../../ceb/index.ts';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, requirePrincipal, type Principal } from '../identity/index.ts';
import type { DirectoryPort, FilingPort, SignaturePort, SummaryIntakePort } from './clearance.ports.ts';
import { submitSummaryApply } from './intake.summary.ts';
import { createClearanceRepository, type DocumentRow } from './clearance.repository.ts';
import { TOPIC_WITHDRAWN, type WithdrawnPayload } from './clearance.topics.ts';
import { receiptBatch, recipientsOf } from './receipt.writer.ts';
import { allocateNumbers, checkSender, formatRejection, senderRejection, type NumberBlocks } from './intake.checks.ts';
import { changeRefusal, DOC_KINDS, waybillKey, type DocKindSpec } from './rules/documents.rules.ts';
import {
  arrivalLineProblems,
  billLineProblems,
  departureLineProblems,
  joinProblems,
  productLineProblems,
  type BillTarget,
  type BoundBill,
} from './rules/lines.rules.ts';
import type { Fields } from './rules/match.rules.ts';

export const TOPIC_RECEIVED = 'clearance.received';

export interface EntityOutcome {
  index: number;
  guid: string;
  businessKey: string;
  accepted: boolean;
  documentId: string | null;
  returnStatus: string;
  returnInfo: string;
  preNo?: string;
  invtNo?: string;
}

export interface IntakeOutcome {
  messageGuid: string;
  messageType: ExportMessageType | 'CEB701';
  accepted: number;
  rejected: number;
  replayed: boolean;
  entities: EntityOutcome[];
}

export interface ReceivedPayload {
  kind: DocKindSpec['kind'];
  ids: string[];
  waybillKeys: string[];
}

const bi = (zh: string, en: string): { zh: string; en: string } => ({ zh, en });

export type IntakeService = ReturnType<typeof createIntakeService>;

/**
 * Intake only parses, checks and appends (DESIGN.md §3): the message is validated whole, each
 * entity is checked against filings and live business keys, accepted documents are stored with
 * receipt 2 (申报中) and announced on the outbox. Matching and decisions happen in the pipeline.
 */
export function createIntakeService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  outbox: Outbox;
  filing: FilingPort;
  directory: DirectoryPort;
  signatures?: SignaturePort;
  summary?: SummaryIntakePort;
}) {
  const { db, clock, outbox } = deps;

  async function intakeOnce(
    p: Principal,
    message: CebMessage,
    format: 'xml' | 'json',
    requestId: string | undefined,
    senders: { role: string; field: string }[],
    codes: string[],
    numbers: NumberBlocks,
  ): Promise<IntakeOutcome> {
    const spec = DOC_KINDS[message.messageType as ExportMessageType];
    const senderOrg = p.organisation!;
    const senderCodes = new Set(codes);
    return db.transaction().execute(async (trx) => {
      const repo = createClearanceRepository(trx);
      const prior = await repo.findMessage(senderOrg.id, message.guid);
      if (prior) return { ...(prior.outcome as IntakeOutcome), replayed: true };

      const now = numbers.day;
      const messageId = newId();
      const heads = message.entities.map((e) => e.head);
      const allCodes = heads.flatMap((h) => spec.filedFields.map((f) => h[f] ?? '').filter(Boolean));
      // The parcels total-sub bills, arrivals and departures (new or changed) name: one query per
      // message each, probing per parcel.
      const listed = message.entities.filter((e) => (e.head.appType ?? message.appType ?? '1') !== '3');
      const listLines = (e: (typeof listed)[number]): Fields[] => e.lists[spec.list ?? ''] ?? [];
      const parcelKeys = (es: typeof listed): string[] => [
        ...new Set(es.flatMap((e) => listLines(e).map((l) => waybillKey(e.head.logisticsCode, l.logisticsNo)))),
      ];
      // A departure with a billNo names parcels of that bill; one without, declared parcels.
      const withBill = spec.kind === 'departure' ? listed.filter((e) => e.head.billNo) : listed;
      const mustBeDeclared =
        spec.kind === 'arrival' ? listed : spec.kind === 'departure' ? listed.filter((e) => !e.head.billNo) : [];
      const [filed, orgIds, products, billTargets, declaredParcels, liveBills] = await Promise.all([
        deps.filing.filedEnterprises(trx, [...new Set(allCodes)]),
        deps.directory.idsByCodes(trx, [...new Set(heads.flatMap((h) => spec.partyFields.map((f) => h[f] ?? '')))]),
        spec.productLines
          ? deps.filing.filedProducts(
              trx,
              message.entities.flatMap((e) =>
                (e.lists[spec.list ?? ''] ?? []).map((l) => ({ ebcCode: e.head.ebcCode ?? '', itemNo: l.itemNo ?? '' })),
              ),
            )
          : Promise.resolve(new Map()),
        spec.kind === 'consolidation'
          ? repo.billTargets([
              ...new Set(
                listed.flatMap((e) =>
                  listLines(e)
                    .map((l) => l.invtNo ?? '')
                    .filter(Boolean),
                ),
              ),
            ])
          : Promise.resolve([]),
        mustBeDeclared.length ? repo.declaredWaybillKeys(parcelKeys(mustBeDeclared)) : Promise.resolve(new Set<string>()),
        spec.kind === 'consolidation' || spec.kind === 'departure' ? repo.liveBills(parcelKeys(withBill)) : Promise.resolve([]),
      ]);
      // waybill key → the live bills binding it; a bill accepted from this message joins them, so
      // two bills of one message cannot bind one parcel either.
      const bound = new Map<string, BoundBill[]>();
      for (const b of liveBills)
        bound.set(b.waybill_key, [...(bound.get(b.waybill_key) ?? []), { documentId: b.document_id, billNo: b.bill_no }]);
      const bills = new Map<string, BillTarget>(
        billTargets.map((i) => [
          i.invt_no,
          {
            invtNo: i.invt_no,
            logisticsNo: i.logistics_no,
            waybillKey: i.waybill_key,
            agentCode: i.agent_code,
            ebcCode: i.ebc_code,
          },
        ]),
      );
      const keys = heads.map((h) => spec.businessKey(h));
      // BaseSubscribe: third parties named by their DXP address get the data (DATA), the receipts (RET) or both (ALL).
      const subs = message.baseSubscribe ?? [];
      const subIds = await deps.directory.idsByDxpIds(
        trx,
        subs.map((x) => x.dxpAddress ?? ''),
      );
      const subscribed = (statuses: string[]): string[] =>
        [
          ...new Set(
            subs.filter((x) => statuses.includes((x.status ?? '').toUpperCase())).map((x) => subIds.get(x.dxpAddress ?? '')),
          ),
        ].filter((x): x is string => !!x);
      const readers = subscribed(['ALL', 'DATA']);
      const receiptCopies = subscribed(['ALL', 'RET']);
      const live = new Map((await repo.liveByKeys(spec.kind, [...new Set(keys)])).map((d) => [d.business_key, d]));

      const outcomes: EntityOutcome[] = [];
      const inserts: Omit<DocumentRow, 'live' | 'return_info'>[] = [];
      const replaces: {
        id: string;
        message_id: string;
        head: Fields;
        lines: Fields[];
        parties: string[];
        readers?: string[];
        receipt_copies?: string[];
        updated_at: Date;
      }[] = [];
      // appType 3: like a change, the deletion's own declaration (its guid, appType 3) replaces the
      // stored one, so what is forwarded on is the deletion, not the original again.
      const deletes: typeof replaces = [];
      const seenKeys = new Set<string>();
      const receipts = receiptBatch(clock);

      message.entities.forEach((entity, index) => {
        const head = entity.head;
        const lines = spec.list ? (entity.lists[spec.list] ?? []) : [];
        const key = keys[index]!;
        const appType = head.appType ?? message.appType ?? '1';
        const parties = [
          ...new Set([senderOrg.id, ...spec.partyFields.map((f) => orgIds.get(head[f] ?? '')).filter((x): x is string => !!x)]),
        ];
        // the parcels an accepted bill binds: a later entity of this message cannot bind them again
        const claim = (documentId: string): void => {
          if (spec.kind !== 'consolidation') return;
          for (const l of lines) {
            const k = waybillKey(head.logisticsCode, l.logisticsNo);
            bound.set(k, [...(bound.get(k) ?? []), { documentId, billNo: head.billNo ?? '' }]);
          }
        };
        const reject = (status: string, zh: string, en: string): void => {
          const info = `${zh} / ${en}`;
          outcomes.push({
            index,
            guid: head.guid ?? '',
            businessKey: key,
            accepted: false,
            documentId: null,
            returnStatus: status,
            returnInfo: info,
          });
        };
        if (!senders.some((s) => head[s.field] !== undefined && senderCodes.has(head[s.field]!))) {
          const fields = [...new Set(senders.map((s) => s.field))];
          return reject(
            '-301020',
            `${fields.map((f) => `${f}=${head[f] ?? '（空）'}`).join('，')} 不是发送企业的代码`,
            `${fields.map((f) => `${f}=${head[f] ?? '(empty)'}`).join(', ')} is not the sending enterprise's code`,
          );
        }
        const unfiled = spec.filedFields.filter((f) => head[f] && !filed.has(head[f]!));
        if (unfiled.length) {
          return reject(
            '-301010',
            `企业未在海关备案：${unfiled.map((f) => `${f}=${head[f]}`).join('，')}`,
            `enterprise not filed with customs: ${unfiled.map((f) => `${f}=${head[f]}`).join(', ')}`,
          );
        }
        // The filing, approved by customs, says in which roles an enterprise acts (备案类型), not
        // the roles its account was given: a seller filed only as ebc sends no waybill.
        const asFiled = senders.filter(
          (s) => senderCodes.has(head[s.field] ?? '') && filed.get(head[s.field]!)?.includes(s.role),
        );
        if (asFiled.length === 0) {
          const roles = [...new Set(senders.map((s) => s.role))];
          return reject(
            '-301010',
            `发送企业未以${roles.join('、')}角色在海关备案`,
            `the sending enterprise is not filed with customs as ${roles.join(' or ')}`,
          );
        }
        if (spec.productLines) {
          const { missing, mismatches } = productLineProblems(head.ebcCode ?? '', lines, products);
          if (missing.length) {
            return reject(
              '-301011',
              `商品未备案（电商企业 ${head.ebcCode}）：${missing.join('，')}`,
              `products not filed (seller ${head.ebcCode}): ${missing.join(', ')}`,
            );
          }
          // a deletion withdraws the lines as they were declared: only new and changed ones must agree
          if (mismatches.length && appType !== '3') {
            const why = joinProblems(mismatches);
            return reject('100', `申报商品与备案不符：${why.zh}`, `lines differ from the filed products: ${why.en}`);
          }
        }
        if (appType !== '3' && spec.kind === 'consolidation') {
          // a change (appType 2) replaces the bill's own stored version, whose bindings do not count
          const self = appType === '2' ? (live.get(key)?.id ?? null) : null;
          const problems = billLineProblems(head, lines, bills, senderCodes, { bills: bound, self });
          if (problems.length) {
            const why = joinProblems(problems);
            return reject(
              '100',
              `总分单不能绑定以下运单，整单退回：${why.zh}（规则：每行须填本企业申报或电商企业为本企业的有效清单编号，运单号一致，且运单未绑定其他有效总分单）`,
              `the total-sub bill is refused as a whole: ${why.en} (rule: each line names a live inventory of the same parcel that the sender declared or sells, not bound to another live bill)`,
            );
          }
        }
        if (appType !== '3' && spec.kind === 'departure') {
          const problems = departureLineProblems(head, lines, bound, declaredParcels);
          if (problems.length) {
            const why = joinProblems(problems);
            return reject(
              '100',
              `离境单列出不能离境的运单，整单退回：${why.zh}（规则：填写提运单号 billNo 时，每票包裹须已绑定该提运单号的有效总分单；未填时须已有有效申报清单）`,
              `the departure is refused as a whole: ${why.en} (rule: with a billNo, each parcel must be bound to a live total-sub bill of that billNo; without one, declared by a live inventory)`,
            );
          }
        }
        if (appType !== '3' && spec.kind === 'arrival') {
          const problems = arrivalLineProblems(head, lines, declaredParcels);
          if (problems.length) {
            const why = joinProblems(problems);
            return reject(
              '100',
              `运抵单列出未申报的运单，整单退回：${why.zh}（规则：运抵的每票包裹须已有有效的申报清单）`,
              `the arrival is refused as a whole: ${why.en} (rule: each parcel reported arrived must be declared by a live inventory)`,
            );
          }
        }
        if (seenKeys.has(key)) {
          return reject('-304001', `同一报文中业务主键重复：${key}`, `business key repeated in this message: ${key}`);
        }
        seenKeys.add(key);
        const existing = live.get(key);
        if (appType === '1') {
          if (existing)
            return reject('-304001', `业务主键重复：${key}`, `duplicate business key: ${key} (a live document exists)`);
          const id = newId();
          claim(id);
          inserts.push({
            id,
            kind: spec.kind,
            message_id: messageId,
            guid: head.guid ?? '',
            cop_no: head.copNo ?? null,
            pre_no: null,
            business_key: key,
            status: '2',
            customs_code: head.customsCode ?? null,
            sender_org_id: senderOrg.id,
            parties,
            readers,
            receipt_copies: receiptCopies,
            head,
            lines,
            created_at: now,
            updated_at: now,
          });
          outcomes.push({
            index,
            guid: head.guid ?? '',
            businessKey: key,
            accepted: true,
            documentId: id,
            returnStatus: '2',
            returnInfo: '',
          });
          return;
        }
        if (!existing)
          return reject(
            '100',
            `没有可${appType === '2' ? '变更' : '删除'}的单证：${key}`,
            `no live document to ${appType === '2' ? 'change' : 'delete'}: ${key}`,
          );
        if (!existing.parties.includes(senderOrg.id))
          return reject('100', `没有可变更的单证：${key}`, `no live document to change: ${key}`);
        // A party the document names (the seller of a platform's order, say) sees it, but only
        // the organisation that sent it may change or delete it.
        if (existing.sender_org_id !== senderOrg.id) {
          return reject(
            '-301020',
            `只有原发送企业可以${appType === '2' ? '变更' : '删除'}单证 ${key}（规则：变更、删除只能由发送该单证的企业申报）`,
            `only the enterprise that sent ${key} may ${appType === '2' ? 'change' : 'delete'} it (rule: changes and deletions come from the document's sender)`,
          );
        }
        const refusal = changeRefusal(spec.kind, appType === '2' ? '2' : '3', existing.status);
        if (refusal) return reject('-301030', refusal.zh, refusal.en);
        const replacement = { id: existing.id, message_id: messageId, head, lines, parties, updated_at: now };
        // a change's BaseSubscribe names the readers and receipt copies from now on; a deletion keeps them
        if (appType === '2') {
          claim(existing.id);
          replaces.push({ ...replacement, readers, receipt_copies: receiptCopies });
        } else deletes.push(replacement);
        outcomes.push({
          index,
          guid: head.guid ?? '',
          businessKey: key,
          accepted: true,
          documentId: existing.id,
          returnStatus: appType === '3' ? '100' : '2',
          returnInfo: '',
        });
      });

      // Numbers for the documents whose receipts carry them, allocated as blocks.
      const inventoryRows: Parameters<typeof repo.insertInventories>[0] = [];
      if (spec.preNo) for (const d of inserts) d.pre_no = numbers.preNo();
      if (spec.kind === 'inventory') {
        for (const d of inserts) {
          {
            inventoryRows.push({
              document_id: d.id,
              order_key: `${d.head.ebpCode}|${d.head.orderNo}`,
              waybill_key: waybillKey(d.head.logisticsCode, d.head.logisticsNo),
              logistics_no: d.head.logisticsNo ?? '',
              ebc_code: d.head.ebcCode ?? '',
              agent_code: d.head.agentCode ?? '',
              trade_mode: d.head.tradeMode ?? '',
              statistics_flag: d.head.statisticsFlag ?? '',
              invt_no: numbers.invtNo(d.customs_code ?? '0000'),
            });
          }
        }
      }
      // Rejected entities get numbers too: every CEB604/606/608 receipt carries an 18-character
      // preNo (and invtNo), as the e-port numbers each submission it receives.
      const rejected = outcomes.filter((o) => !o.accepted);
      if (rejected.length) {
        for (const o of rejected) {
          const head = message.entities[o.index]!.head;
          const existing = live.get(o.businessKey);
          if (spec.preNo) o.preNo = existing?.pre_no ?? numbers.preNo();
          if (spec.kind === 'inventory') o.invtNo = existing?.invt_no ?? numbers.invtNo(head.customsCode ?? '0000');
          if (spec.kind === 'cancellation' && head.invtNo) o.invtNo = head.invtNo;
          // RET/ALL subscribers the message names get the refusals too, as they would its acceptances
          receipts.add({
            messageType: spec.messageType,
            documentId: null,
            recipients: [senderOrg.id, ...receiptCopies],
            head,
            preNo: o.preNo ?? null,
            invtNo: o.invtNo ?? null,
            status: o.returnStatus,
            detail: o.returnInfo,
          });
        }
      }
      const invtByDoc = new Map(inventoryRows.map((r) => [r.document_id, r.invt_no]));
      const docById = new Map(inserts.map((d) => [d.id, d]));
      const changedIds = new Set(replaces.map((r) => r.id));
      for (const o of outcomes) {
        if (!o.accepted || !o.documentId) continue;
        const d = docById.get(o.documentId) ?? live.get(o.businessKey);
        if (!d) continue;
        if (d.pre_no) o.preNo = d.pre_no;
        const invt = invtByDoc.get(o.documentId) ?? live.get(o.businessKey)?.invt_no ?? undefined;
        if (invt) o.invtNo = invt;
        const deleted = deletes.some((x) => x.id === o.documentId);
        const head = message.entities[o.index]!.head;
        o.returnInfo = deleted
          ? '删除成功 / deleted'
          : `${o.documentId === d.id && docById.has(d.id) ? '新增' : '变更'}申报成功[${head.guid}] / declared`;
        receipts.add({
          messageType: spec.messageType,
          documentId: o.documentId,
          // a change goes to the subscribers its own BaseSubscribe names
          recipients: recipientsOf(changedIds.has(d.id) ? { sender_org_id: d.sender_org_id, receipt_copies: receiptCopies } : d),
          head,
          preNo: d.pre_no,
          invtNo: invt ?? null,
          status: o.returnStatus,
          detail: o.returnInfo,
        });
      }

      const outcome: IntakeOutcome = {
        messageGuid: message.guid,
        messageType: spec.messageType,
        accepted: outcomes.filter((o) => o.accepted).length,
        rejected: outcomes.filter((o) => !o.accepted).length,
        replayed: false,
        entities: outcomes.sort((a, b) => a.index - b.index),
      };
      await repo.insertMessage({
        id: messageId,
        senderOrgId: senderOrg.id,
        guid: message.guid,
        messageType: spec.messageType,
        format,
        entityCount: message.entities.length,
        outcome,
        receivedAt: now,
      });
      await repo.insertDocuments(inserts);
      await repo.insertInventories(inventoryRows);
      if (replaces.length) {
        await repo.replaceDocuments(replaces);
        if (spec.kind === 'inventory') {
          await repo.updateInventoryKeys(
            replaces.map((r) => ({
              document_id: r.id,
              order_key: `${r.head.ebpCode}|${r.head.orderNo}`,
              waybill_key: waybillKey(r.head.logisticsCode, r.head.logisticsNo),
              logistics_no: r.head.logisticsNo ?? '',
              ebc_code: r.head.ebcCode ?? '',
              agent_code: r.head.agentCode ?? '',
              trade_mode: r.head.tradeMode ?? '',
              statistics_flag: r.head.statisticsFlag ?? '',
            })),
          );
        }
      }
      const deletedIds = deletes.map((x) => x.id);
      if (deletes.length) {
        await repo.replaceDocuments(deletes);
        await repo.setStatuses(
          deletedIds.map((id) => ({ id, status: 'deleted', live: false, info: '删除 / deleted' })),
          now,
        );
      }
      // A deleted inventory may have been held for review or inspection (300): it leaves the
      // queue, and what it reserved (inspection task, batch quantities) goes back, as on cancellation.
      const withdrawn = spec.kind === 'inventory' ? deletedIds : [];
      await repo.clearHeld(withdrawn);
      // The parcels an arrival, bill or departure names, as parcel events; a changed one names
      // its new lines only (its old events go), so a line taken out binds nothing any more.
      const listing = [...inserts, ...replaces];
      if (spec.parcelEvent) {
        await repo.deleteParcelEvents(replaces.map((r) => r.id));
        const events = listing.flatMap((d) =>
          d.lines.map((l) => ({
            waybill_key: waybillKey(d.head.logisticsCode, l.logisticsNo),
            kind: spec.parcelEvent!,
            document_id: d.id,
            bill_no: d.head.billNo ?? null,
            at: now,
          })),
        );
        await repo.insertParcelEvents(events);
      }
      await receipts.flush(repo);
      // Deletions too: the pipeline finds nothing live to match in them, the forwarder sends them on.
      const changed = [...inserts.map((d) => d.id), ...replaces.map((r) => r.id), ...deletedIds];
      if (withdrawn.length) {
        const payload: WithdrawnPayload = { ids: withdrawn };
        await outbox.publish(trx, [{ topic: TOPIC_WITHDRAWN, key: message.guid, payload }]);
      }
      if (changed.length) {
        const payload: ReceivedPayload = {
          kind: spec.kind,
          ids: changed,
          waybillKeys: spec.parcelEvent
            ? [...new Set(listing.flatMap((d) => d.lines.map((l) => waybillKey(d.head.logisticsCode, l.logisticsNo))))]
            : [],
        };
        await outbox.publish(trx, [{ topic: TOPIC_RECEIVED, key: message.guid, payload }]);
      }
      await deps.audit.append(trx, { ...actorOf(p), requestId: requestId ?? null }, [
        {
          action: `ceb.${spec.messageType}`,
          entity: 'clr_message',
          entityId: messageId,
          after: { guid: message.guid, format, accepted: outcome.accepted, rejected: outcome.rejected },
        },
      ]);
      return outcome;
    });
  }

  return {
    /** One CEB message, XML-decoded or JSON: the whole message is refused when invalid. */
    async submit(
      p: Principal | null,
      message: CebMessage,
      format: 'xml' | 'json',
      requestId?: string,
      raw?: Buffer,
    ): Promise<IntakeOutcome> {
      requirePrincipal(p);
      if (message.messageType === 'CEB701' && deps.summary) return submitSummaryApply(deps, p, message, format, requestId, raw);
      const spec = DOC_KINDS[message.messageType as ExportMessageType];
      if (!spec) {
        throw new DomainError(
          'clearance.bad_request',
          bi(`${message.messageType} 不是企业可发送的报文`, `${message.messageType} is not a message an enterprise sends`),
        );
      }
      const codes = p.organisation ? await deps.directory.codesOf(db, p.organisation.id) : [];
      let senders: ReturnType<typeof checkSender>;
      try {
        senders = checkSender(p, codes, message, spec);
      } catch (e) {
        throw e instanceof DomainError ? senderRejection(message, e, raw) : e;
      }
      const errors = validateCeb(message);
      if (errors.length) throw formatRejection(message, errors, raw);
      await deps.signatures?.requireSignature(p, message, format, raw);
      const numbers = await allocateNumbers(db, clock, message, spec);
      try {
        const outcome = await intakeOnce(p, message, format, requestId, senders, codes, numbers);
        outbox.kick();
        return outcome;
      } catch (e) {
        // Two messages racing for one business key: the unique index stops the second; running it
        // again answers it like any duplicate (or replays it, when it was the same message).
        if ((e as { code?: string }).code === '23505') {
          return intakeOnce(p, message, format, requestId, senders, codes, await allocateNumbers(db, clock, message, spec));
        }
        throw e;
      }
    },
  };
}

export type { Executor };
