import { encodeCeb } from '../../ceb/index.ts';
import type { Executor } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { organisationDirectory } from '../identity/index.ts';
import { signXml } from '../signature/index.ts';
import { createClearanceRepository, type DocumentRow } from './clearance.repository.ts';
import { TOPIC_RECEIVED, type ReceivedPayload } from './intake.service.ts';
import { DOC_KINDS, KIND_TO_MESSAGE } from './rules/documents.rules.ts';

const DXP_NS = 'http://www.chinaport.gov.cn/dxp';

/**
 * The DXP client envelope (终端节点报文, cbec-export-facts.md §4.3) around one CEB message: the
 * message itself, signed or not, Base64 in Data. CopMsgId is the message guid; CreatTime is China
 * Standard Time without a zone, as the e-port writes it. The ids are letters and digits (config).
 */
export function dxpEnvelope(
  xml: string,
  t: { copMsgId: string; senderId: string; receiverId: string; msgType: string; at: Date },
): string {
  const creatTime = new Date(t.at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<DxpMsg ver="1.0" xmlns="${DXP_NS}">` +
    `<TransInfo><CopMsgId>${t.copMsgId}</CopMsgId><SenderId>${t.senderId}</SenderId>` +
    `<ReceiverIds><ReceiverId>${t.receiverId}</ReceiverId></ReceiverIds>` +
    `<CreatTime>${creatTime}</CreatTime><MsgType>${t.msgType}</MsgType></TransInfo>` +
    `<Data>${Buffer.from(xml, 'utf8').toString('base64')}</Data></DxpMsg>`
  );
}

/**
 * The code each sending organisation goes by in BaseTransfer/copCode, keyed by organisation id.
 * The sender is the organisation whose message created the document (`sender_org_id`), not the
 * first sender field of the head: a CEB303 a seller sent in third-party marketplace mode names
 * the platform in ebpCode and the seller in ebcCode, and goes out under the seller's code. Of the
 * sender's codes (customs code, USCC) the one its document names in a sender field is taken, else
 * its customs code. One directory query for the codes the heads name (intake made sure the
 * sender's is among them); an organisation not found that way is read by id.
 */
export async function senderCopCodes(
  exec: Executor,
  docs: readonly Pick<DocumentRow, 'kind' | 'head' | 'sender_org_id'>[],
): Promise<Map<string, string>> {
  const named = (d: (typeof docs)[number]): string[] =>
    DOC_KINDS[KIND_TO_MESSAGE[d.kind]].senders.map((s) => d.head[s.field] ?? '').filter(Boolean);
  const directory = organisationDirectory(exec);
  const orgs = new Map((await directory.byCodes(docs.flatMap(named))).map((o) => [o.id, o]));
  const missing = [...new Set(docs.map((d) => d.sender_org_id))].filter((id) => !orgs.has(id));
  for (const o of await Promise.all(missing.map((id) => directory.byId(id)))) if (o) orgs.set(o.id, o);
  const out = new Map<string, string>();
  for (const d of docs) {
    const o = orgs.get(d.sender_org_id);
    if (!o || out.has(o.id)) continue;
    const own = [o.customs_code, o.uscc].filter((c): c is string => !!c);
    out.set(o.id, named(d).find((c) => own.includes(c)) ?? own[0] ?? '');
  }
  return out;
}

/**
 * Outbound adapter (off by default): every accepted document is forwarded as a standard CEB
 * message to the national customs system (or a relay) at `CEB_FORWARD_URL`, so a province can run
 * the platform beside the national single window rather than in place of it. One HTTP POST per
 * message type and sender per batch, ≤ 100 entities each, under the sender's code; a failed POST
 * fails the batch and the outbox retries it with back-off. The receiving side dedupes by entity
 * guid. The documents are read without row locks: a POST may wait 15 s per attempt, and the
 * serial pipeline must not wait on it. With `sign`, each message carries the enveloped XML-DSig
 * `cbec sign` writes (content unchanged); with `dxp`, the (signed) message goes out in a DxpMsg.
 */
export function cebForwarder(deps: {
  url: string;
  log: Logger;
  dxpId: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  newGuid: () => string;
  /** Key and certificate (PEM) the messages are signed with (FORWARD_SIGN_KEY / FORWARD_SIGN_CERT). */
  sign?: { keyPem: string; certPem: string };
  /** DXP ids of the envelope (FORWARD_DXP=1). */
  dxp?: { senderId: string; receiverId: string };
  now?: () => Date;
}): OutboxHandler {
  const doFetch = deps.fetch ?? fetch;
  return {
    name: 'clearance.forward',
    topics: [TOPIC_RECEIVED],
    batchSize: 100,
    maxAttempts: 50,
    async handle(events: OutboxEvent[], trx: Executor) {
      const ids = events.flatMap((e) => (e.payload as ReceivedPayload).ids);
      const docs = await createClearanceRepository(trx).readDocuments(ids);
      const copCodes = await senderCopCodes(trx, docs);
      // One message per kind and sender: a message names one sender (BaseTransfer/copCode).
      const groups = new Map<string, DocumentRow[]>();
      for (const d of docs) {
        const key = `${d.kind}|${d.sender_org_id}`;
        groups.set(key, [...(groups.get(key) ?? []), d]);
      }
      for (const list of groups.values()) {
        const { kind, sender_org_id: sender } = list[0]!;
        const messageType = KIND_TO_MESSAGE[kind];
        const spec = DOC_KINDS[messageType];
        const copCode = copCodes.get(sender);
        if (!copCode) throw new Error(`forwarding ${messageType}: no code for the sending organisation ${sender}`);
        for (let i = 0; i < list.length; i += 100) {
          const chunk = list.slice(i, i + 100);
          const guid = deps.newGuid();
          const cebXml = encodeCeb({
            messageType,
            guid,
            version: '1.0',
            entities: chunk.map((d) => ({ head: d.head, lists: spec.list ? { [spec.list]: d.lines } : {} })),
            baseTransfer: { copCode, copName: 'CBEC Window', dxpMode: 'DXP', dxpId: deps.dxpId },
          });
          const signed = deps.sign ? signXml(cebXml, deps.sign.keyPem, deps.sign.certPem) : cebXml;
          const xml = deps.dxp
            ? dxpEnvelope(signed, {
                copMsgId: guid,
                ...deps.dxp,
                msgType: `${messageType}Message`,
                at: deps.now?.() ?? new Date(),
              })
            : signed;
          const res = await doFetch(deps.url, {
            method: 'POST',
            headers: { 'content-type': 'application/xml; charset=utf-8', 'x-ceb-message-type': messageType },
            body: xml,
            redirect: 'error',
            signal: AbortSignal.timeout(deps.timeoutMs ?? 15_000),
          });
          if (!res.ok) throw new Error(`forwarding ${messageType} to ${deps.url} answered HTTP ${res.status}`);
          deps.log.debug({ messageType, entities: chunk.length }, 'forwarded to the national system');
        }
      }
    },
  };
}
