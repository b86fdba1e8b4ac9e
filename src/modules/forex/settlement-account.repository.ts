import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import type { ForexTables, FxAccountSettlementRow, FxSettlementAccountRow } from './forex.tables.ts';

// Dates travel as 'YYYY-MM-DD' text: pg would make them JS Dates at local midnight.
const ACCOUNT_COLUMNS = sql`id, org_id, ebc_code, jurisdiction, account_kind, bank_name, bank_code, account_no, currency,
  to_char(opened_on, 'YYYY-MM-DD') as opened_on, status, to_char(closed_on, 'YYYY-MM-DD') as closed_on, created_at`;
const SETTLEMENT_COLUMNS = sql`id, org_id, account_id, settlement_ref, to_char(settled_on, 'YYYY-MM-DD') as settled_on,
  currency, amount::text as amount, rate::text as rate, cny_amount::text as cny_amount, receipt_ids::text[] as receipt_ids,
  created_by, created_at`;

export interface ReceiptFact {
  org_id: string;
  id: string;
  ref_no: string;
  currency: string;
  amount: string;
  received_on: string;
  account_no: string | null;
}

/** Receipt records summed per currency, day and the account number they name (the balance check's input). */
export interface ReceiptTotal {
  currency: string;
  received_on: string;
  account_no: string | null;
  amount: string;
}
/** Settlements summed per account and day. */
export interface SettlementTotal {
  account_id: string;
  currency: string;
  settled_on: string;
  amount: string;
}

/** Rows per multi-row INSERT (12 parameters each: far below PostgreSQL's 65,535). */
const INSERT_CHUNK = 500;

export function createSettlementAccountRepository(exec: Executor) {
  const db = tables<ForexTables>(exec);
  return {
    /** false when the enterprise already registered this account number */
    async insertAccount(row: FxSettlementAccountRow): Promise<boolean> {
      const r = await db
        .insertInto('fx_settlement_account')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'account_no']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async accountsOf(orgIds: readonly string[]): Promise<FxSettlementAccountRow[]> {
      if (!orgIds.length) return [];
      const r = await sql<FxSettlementAccountRow>`
        select ${ACCOUNT_COLUMNS} from fx_settlement_account where org_id = any(${[...orgIds]}::uuid[])
        order by org_id, currency, opened_on, id`.execute(exec);
      return r.rows;
    },
    /** Organisations in a jurisdiction (prefix) that registered accounts: the forex desk adds them. */
    async orgIdsByJurisdiction(prefix: string): Promise<string[]> {
      // A plain prefix LIKE on the column (the empty prefix: every row) so that the
      // text_pattern_ops index of 003 serves it; jurisdictions are digits, never % or _.
      const r = await sql<{ org_id: string }>`
        select distinct org_id from fx_settlement_account
        ${prefix ? sql`where jurisdiction like ${`${prefix}%`}` : sql``}`.execute(exec);
      return r.rows.map((x) => x.org_id);
    },
    /** One account of the organisation (another's answers nothing); `lock` holds it for the transaction. */
    async accountOf(orgId: string, id: string, lock = false): Promise<FxSettlementAccountRow | undefined> {
      const r = await sql<FxSettlementAccountRow>`
        select ${ACCOUNT_COLUMNS} from fx_settlement_account where org_id = ${orgId} and id = ${id}
        ${lock ? sql`for update` : sql``}`.execute(exec);
      return r.rows[0];
    },
    async accountByNo(orgId: string, accountNo: string): Promise<FxSettlementAccountRow | undefined> {
      const r = await sql<FxSettlementAccountRow>`
        select ${ACCOUNT_COLUMNS} from fx_settlement_account where org_id = ${orgId} and account_no = ${accountNo}`.execute(exec);
      return r.rows[0];
    },
    /**
     * Serialises settlements of one enterprise: its accounts of a currency share the receipts that
     * name no account, so two settlements on two accounts must not both take the same money.
     */
    async lockAccounts(orgId: string): Promise<void> {
      await sql`select id from fx_settlement_account where org_id = ${orgId} order by id for update`.execute(exec);
    },
    async closeAccount(orgId: string, id: string, closedOn: string): Promise<void> {
      await db
        .updateTable('fx_settlement_account')
        .set({ status: 'closed', closed_on: closedOn })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
    },
    async settlementByRef(orgId: string, ref: string): Promise<FxAccountSettlementRow | undefined> {
      const r = await sql<FxAccountSettlementRow>`
        select ${SETTLEMENT_COLUMNS} from fx_settlement where org_id = ${orgId} and settlement_ref = ${ref}`.execute(exec);
      return r.rows[0];
    },
    /** Stored settlements of the organisation under any of `refs`: one statement. */
    async settlementsByRefs(orgId: string, refs: readonly string[]): Promise<FxAccountSettlementRow[]> {
      if (!refs.length) return [];
      const r = await sql<FxAccountSettlementRow>`
        select ${SETTLEMENT_COLUMNS} from fx_settlement
        where org_id = ${orgId} and settlement_ref = any(${[...refs]}::text[])`.execute(exec);
      return r.rows;
    },
    async insertSettlement(row: FxAccountSettlementRow): Promise<void> {
      await db.insertInto('fx_settlement').values(row).execute();
    },
    /** Many settlements, INSERT_CHUNK rows a statement. */
    async insertSettlements(rows: readonly FxAccountSettlementRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await db
          .insertInto('fx_settlement')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
    },
    /** The organisation's settlements summed per account and day (what the balance check needs). */
    async settlementTotalsOf(orgId: string): Promise<SettlementTotal[]> {
      const r = await sql<SettlementTotal>`
        select account_id, currency, to_char(settled_on, 'YYYY-MM-DD') as settled_on, sum(amount)::text as amount
        from fx_settlement where org_id = ${orgId} group by account_id, currency, settled_on`.execute(exec);
      return r.rows;
    },
    /** The organisation's receipt records summed per currency, day and the account number they name. */
    async receiptTotalsOf(orgId: string): Promise<ReceiptTotal[]> {
      const r = await sql<ReceiptTotal>`
        select currency, to_char(received_on, 'YYYY-MM-DD') as received_on, account_no, sum(amount)::text as amount
        from fx_receipt where org_id = ${orgId} group by currency, received_on, account_no`.execute(exec);
      return r.rows;
    },
    async settlementsOf(orgIds: readonly string[], accountId?: string): Promise<FxAccountSettlementRow[]> {
      if (!orgIds.length) return [];
      const r = await sql<FxAccountSettlementRow>`
        select ${SETTLEMENT_COLUMNS} from fx_settlement where org_id = any(${[...orgIds]}::uuid[])
        ${accountId ? sql`and account_id = ${accountId}` : sql``}
        order by settled_on, created_at`.execute(exec);
      return r.rows;
    },
    /** The enterprises' receipt records (bank / payment institution), with the account they name. */
    async receiptsOf(orgIds: readonly string[]): Promise<ReceiptFact[]> {
      if (!orgIds.length) return [];
      const r = await sql<ReceiptFact>`
        select org_id, id, ref_no, currency, amount::text as amount, to_char(received_on, 'YYYY-MM-DD') as received_on, account_no
        from fx_receipt where org_id = any(${[...orgIds]}::uuid[])`.execute(exec);
      return r.rows;
    },
    async receiptsByRefs(orgId: string, refNos: string[]): Promise<ReceiptFact[]> {
      if (!refNos.length) return [];
      const r = await sql<ReceiptFact>`
        select org_id, id, ref_no, currency, amount::text as amount, to_char(received_on, 'YYYY-MM-DD') as received_on, account_no
        from fx_receipt where org_id = ${orgId} and ref_no = any(${refNos}::text[])`.execute(exec);
      return r.rows;
    },
  };
}
