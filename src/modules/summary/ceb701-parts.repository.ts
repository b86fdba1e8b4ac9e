import { sql } from 'kysely';
import type { Executor } from '../../kernel/db.ts';

export interface Ceb701PartRow {
  msg_seq_no: number;
  msg_count: number;
  guid: string;
  head: Record<string, string>;
  invt_nos: string[];
}

/** Parts of split CEB701 messages (msgCount > 1) waiting for the rest (sum_ceb701_part). */
export function createCeb701PartsRepository(exec: Executor) {
  return {
    /** One application's parts at a time (until commit): the part that completes it is seen by one caller. */
    async lock(senderOrgId: string, ebcCode: string, copNo: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`sum_ceb701:${senderOrgId}|${ebcCode}|${copNo}`}, 0))`.execute(
        exec,
      );
    },

    /** The parts of an application received so far, in sequence. */
    async list(key: { senderOrgId: string; ebcCode: string; copNo: string }): Promise<Ceb701PartRow[]> {
      const r = await sql<Ceb701PartRow>`
        select msg_seq_no, msg_count, guid, head, invt_nos from sum_ceb701_part
        where sender_org_id = ${key.senderOrgId} and ebc_code = ${key.ebcCode} and cop_no = ${key.copNo}
        order by msg_seq_no`.execute(exec);
      return r.rows;
    },

    /** Keeps a part (a part sent again replaces the one before); answers every part of the application so far. */
    async put(
      key: { senderOrgId: string; ebcCode: string; copNo: string },
      part: { msgSeqNo: number; msgCount: number; guid: string; head: Record<string, string>; invtNos: string[] },
      now: Date,
    ): Promise<Ceb701PartRow[]> {
      await sql`
        insert into sum_ceb701_part (sender_org_id, ebc_code, cop_no, msg_seq_no, msg_count, guid, head, invt_nos, received_at)
        values (${key.senderOrgId}, ${key.ebcCode}, ${key.copNo}, ${part.msgSeqNo}, ${part.msgCount}, ${part.guid},
          ${JSON.stringify(part.head)}::jsonb, ${part.invtNos}::text[], ${now})
        on conflict (sender_org_id, ebc_code, cop_no, msg_seq_no) do update
          set msg_count = excluded.msg_count, guid = excluded.guid, head = excluded.head, invt_nos = excluded.invt_nos,
            received_at = excluded.received_at`.execute(exec);
      return this.list(key);
    },

    async remove(key: { senderOrgId: string; ebcCode: string; copNo: string }): Promise<void> {
      await sql`
        delete from sum_ceb701_part
        where sender_org_id = ${key.senderOrgId} and ebc_code = ${key.ebcCode} and cop_no = ${key.copNo}`.execute(exec);
    },
  };
}
