import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type Principal,
} from '../identity/index.ts';
import { summaryLookup } from '../summary/index.ts';
import { csvShapeProblems, parseCsv } from './rules/receipts.rules.ts';
import {
  balanceBook,
  balances,
  checkAccount,
  checkSettlement,
  money,
  normaliseAccountNo,
  toUnits,
  type AccountBalance,
  type AccountInput,
  type CurrencyBalance,
  type ReceivedEvent,
  type SettledEvent,
  type SettlementInput,
} from './rules/settlement-account.rules.ts';
import type { FxAccountSettlementRow, FxSettlementAccountRow } from './forex.tables.ts';
import { createSettlementAccountRepository, type ReceiptFact } from './settlement-account.repository.ts';

export interface SettlementAccountServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

export interface AccountView extends Omit<AccountBalance, 'accountId' | 'currency'> {
  id: string;
  accountKind: string;
  bankName: string;
  bankCode: string;
  accountNo: string;
  currency: string;
  openedOn: string;
  status: string;
  closedOn: string | null;
}

export interface SettlementView {
  id: string;
  accountId: string;
  accountNo: string;
  settlementRef: string;
  settledOn: string;
  currency: string;
  amount: string;
  rate: string;
  cnyAmount: string;
  receiptIds: string[];
}

export interface EnterpriseSettlementAccounts {
  orgId: string;
  ebcCode: string;
  ebcName: string;
  accounts: AccountView[];
  currencies: CurrencyBalance[];
}

export interface SettlementImportOutcome {
  imported: number;
  replayed: number;
  rejected: number;
  errors: { row: number; problems: FieldProblem[] }[];
}

export const SETTLEMENT_CSV_COLUMNS = [
  'settlementRef',
  'accountNo',
  'settledOn',
  'currency',
  'amount',
  'rate',
  'cnyAmount',
] as const;
const MAX_ROWS = 10000;
/** Import rows per look-up of refs and per INSERT. */
const IMPORT_BATCH = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const cstToday = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const ACCOUNT = { zh: '结汇账户', en: 'FX settlement account' };

interface Ledger {
  accounts: FxSettlementAccountRow[];
  received: ReceivedEvent[];
  settled: SettledEvent[];
}

function settlementView(s: FxAccountSettlementRow, accountNo: string): SettlementView {
  return {
    id: s.id,
    accountId: s.account_id,
    accountNo,
    settlementRef: s.settlement_ref,
    settledOn: s.settled_on,
    currency: s.currency,
    amount: money(toUnits(s.amount, 2)),
    rate: s.rate.replace(/\.?0+$/, ''),
    cnyAmount: money(toUnits(s.cny_amount, 2)),
    receiptIds: s.receipt_ids,
  };
}

function accountView(a: FxSettlementAccountRow, b: AccountBalance | undefined): AccountView {
  return {
    id: a.id,
    accountKind: a.account_kind,
    bankName: a.bank_name,
    bankCode: a.bank_code,
    accountNo: a.account_no,
    currency: a.currency,
    openedOn: a.opened_on,
    status: a.status,
    closedOn: a.closed_on,
    received: b?.received ?? '0.00',
    settled: b?.settled ?? '0.00',
    unsettled: b?.unsettled ?? '0.00',
    fromUnassigned: b?.fromUnassigned ?? '0.00',
    periods: b?.periods ?? [],
  };
}

/** Same settlement as stored: a retry. Amounts and rates compare as numbers ('100' = '100.00'). */
function sameSettlement(s: FxAccountSettlementRow, accountId: string, i: SettlementInput): boolean {
  return (
    s.account_id === accountId &&
    s.settled_on === i.settledOn &&
    s.currency === i.currency &&
    toUnits(s.amount, 2) === toUnits(i.amount, 2) &&
    toUnits(s.rate, 8) === toUnits(i.rate, 8) &&
    toUnits(s.cny_amount, 2) === toUnits(i.cnyAmount, 2)
  );
}

export function createSettlementAccountService(deps: SettlementAccountServiceDeps) {
  const { db, clock, audit } = deps;

  /**
   * Only a seller (ebc) holds FX settlement accounts here: a payment institution's reserve account
   * pools many merchants' money and would need a ledger of its own.
   */
  async function seller(p: Principal): Promise<{ orgId: string; code: string; jurisdiction: string | null }> {
    const org = p.organisation;
    const o = org && org.kind === 'enterprise' ? await organisationDirectory(db).byId(org.id) : undefined;
    if (!o || !o.roles.includes('ebc'))
      throw new DomainError('forex.forbidden', {
        zh: '只有电商企业（卖家）可登记结汇账户和结汇',
        en: 'only a seller (ebc) registers FX settlement accounts and settlements',
      });
    return { orgId: o.id, code: o.customs_code ?? o.uscc ?? '', jurisdiction: o.jurisdiction };
  }

  /**
   * The enterprise's accounts and what was received and settled (see `ReceivedEvent` in the rules
   * for what counts where): receipt records by the account they name, CEB403 collections of its
   * summary declarations by currency.
   */
  async function ledgers(exec: Executor, orgIds: string[], decls?: Awaited<ReturnType<typeof declarationsOf>>) {
    const repo = createSettlementAccountRepository(exec);
    const [accounts, receipts, settlements] = await Promise.all([
      repo.accountsOf(orgIds),
      repo.receiptsOf(orgIds),
      repo.settlementsOf(orgIds),
    ]);
    const ds = decls ?? (await declarationsOf(exec, orgIds));
    const out = new Map<string, Ledger & { settlements: FxAccountSettlementRow[] }>();
    for (const orgId of orgIds) {
      const mine = accounts.filter((a) => a.org_id === orgId);
      const byNo = new Map(mine.map((a) => [a.account_no, a]));
      const received: ReceivedEvent[] = receipts
        .filter((r) => r.org_id === orgId)
        .map((r) => {
          const a = r.account_no ? byNo.get(normaliseAccountNo(r.account_no)) : undefined;
          return {
            currency: r.currency,
            day: r.received_on,
            cents: toUnits(r.amount, 2),
            accountId: !r.account_no ? null : a && a.currency === r.currency ? a.id : 'unattributed',
          };
        });
      for (const d of ds.filter((x) => x.orgId === orgId))
        for (const [currency, v] of Object.entries(d.received))
          received.push({ currency, day: d.lastReceiptDay ?? d.exitDay, cents: toUnits(v, 2), accountId: null });
      const own = settlements.filter((s) => s.org_id === orgId);
      out.set(orgId, {
        accounts: mine,
        received,
        settled: own.map((s) => ({
          accountId: s.account_id,
          currency: s.currency,
          day: s.settled_on,
          cents: toUnits(s.amount, 2),
        })),
        settlements: own,
      });
    }
    return out;
  }

  async function declarationsOf(exec: Executor, orgIds: string[]) {
    const all = [];
    for (const orgId of orgIds) all.push(...(await summaryLookup(exec).declarations({ orgId, limit: 5000 })));
    return all;
  }

  function present(l: Ledger & { settlements: FxAccountSettlementRow[] }) {
    const b = balances(l.accounts, l.received, l.settled);
    const noOf = new Map(l.accounts.map((a) => [a.id, a.account_no]));
    return {
      accounts: l.accounts.map((a) =>
        accountView(
          a,
          b.accounts.find((x) => x.accountId === a.id),
        ),
      ),
      currencies: b.currencies,
      settlements: l.settlements.map((s) => settlementView(s, noOf.get(s.account_id) ?? '')).reverse(),
    };
  }

  /**
   * What checking settlements needs, loaded once per request (a single settlement or a whole
   * import), inside the caller's transaction with the enterprise's accounts locked: the accounts,
   * a balance book over the receipts and settlements summed per day (see `balanceBook`), and maps
   * of stored settlements by settlementRef and receipts by refNo that `lookUp` fills a batch at a
   * time.
   */
  async function settleContext(trx: Executor, orgId: string, days: Iterable<string>, createdBy: string | null) {
    const repo = createSettlementAccountRepository(trx);
    const [accounts, receipts, settled, decls] = await Promise.all([
      repo.accountsOf([orgId]),
      repo.receiptTotalsOf(orgId),
      repo.settlementTotalsOf(orgId),
      declarationsOf(trx, [orgId]),
    ]);
    const byNo = new Map(accounts.map((a) => [a.account_no, a]));
    // The same attribution as `ledgers`, on sums per day instead of rows.
    const received: ReceivedEvent[] = receipts.map((r) => {
      const a = r.account_no ? byNo.get(normaliseAccountNo(r.account_no)) : undefined;
      return {
        currency: r.currency,
        day: r.received_on,
        cents: toUnits(r.amount, 2),
        accountId: !r.account_no ? null : a && a.currency === r.currency ? a.id : 'unattributed',
      };
    });
    for (const d of decls)
      for (const [currency, v] of Object.entries(d.received))
        received.push({ currency, day: d.lastReceiptDay ?? d.exitDay, cents: toUnits(v, 2), accountId: null });
    const book = balanceBook(
      received,
      settled.map((s) => ({ accountId: s.account_id, currency: s.currency, day: s.settled_on, cents: toUnits(s.amount, 2) })),
      days,
    );
    const byRef = new Map<string, FxAccountSettlementRow>();
    const receiptsByRef = new Map<string, ReceiptFact[]>();
    return {
      orgId,
      createdBy,
      today: cstToday(clock.now()),
      accounts,
      byNo,
      book,
      byRef,
      receiptsByRef,
      /** Stored settlements and receipts under the refs not yet looked up: one statement each. */
      async lookUp(settlementRefs: Iterable<string>, receiptRefNos: Iterable<string>): Promise<void> {
        const refs = [...new Set(settlementRefs)].filter((x) => x && !byRef.has(x));
        const nos = [...new Set(receiptRefNos)].filter((x) => x && !receiptsByRef.has(x));
        const [stored, linked] = await Promise.all([repo.settlementsByRefs(orgId, refs), repo.receiptsByRefs(orgId, nos)]);
        for (const s of stored) byRef.set(s.settlement_ref, s);
        for (const no of nos) receiptsByRef.set(no, []);
        for (const r of linked) receiptsByRef.get(r.ref_no)?.push(r);
      },
    };
  }
  type SettleContext = Awaited<ReturnType<typeof settleContext>>;

  /**
   * One settlement against the context (its refs looked up): the stored one when it is a retry,
   * else a new row, counted in the context's book and refs so the next settlement of the request
   * sees it; the caller stores it. Throws a validation error naming the field and rule (or a
   * conflict), changing nothing.
   */
  function decide(
    ctx: SettleContext,
    account: FxSettlementAccountRow,
    input: SettlementInput,
    prefix: string,
  ): { row: FxAccountSettlementRow; replayed: boolean } {
    const basic = checkSettlement(input, null, ctx.today, prefix);
    if (basic.length) throw validationError(basic);
    const stored = ctx.byRef.get(input.settlementRef);
    if (stored) {
      if (sameSettlement(stored, account.id, input)) return { row: stored, replayed: true };
      throw new DomainError(
        'forex.conflict',
        {
          zh: `结汇参考号${input.settlementRef}已用于另一笔结汇`,
          en: `settlementRef ${input.settlementRef} was already used for a different settlement`,
        },
        { field: `${prefix}settlementRef` },
      );
    }
    const problems = checkSettlement(
      input,
      { currency: account.currency, status: account.status, openedOn: account.opened_on },
      ctx.today,
      prefix,
    );
    const refs = [...new Set(input.receiptRefNos ?? [])];
    const linked = refs.flatMap((ref) => ctx.receiptsByRef.get(ref) ?? []);
    refs.forEach((ref, i) => {
      const rs = ctx.receiptsByRef.get(ref) ?? [];
      const field = `${prefix}receiptRefNos[${i}]`;
      if (!rs.length)
        problems.push({
          field,
          rule: 'known',
          message: { zh: '本企业无此收汇流水号', en: 'no receipt of yours has this refNo' },
          value: ref,
        });
      else if (rs.some((r) => r.currency !== account.currency))
        problems.push({
          field,
          rule: 'currency',
          message: { zh: '收汇币制与结汇账户不同', en: "the receipt's currency is not the account's" },
          value: ref,
        });
      else if (rs.some((r) => r.account_no && normaliseAccountNo(r.account_no) !== account.account_no))
        problems.push({
          field,
          rule: 'account',
          message: { zh: '该收汇记入了另一账户', en: 'the receipt credited another account' },
          value: ref,
        });
    });
    if (problems.length) throw validationError(problems);
    const next: SettledEvent = {
      accountId: account.id,
      currency: account.currency,
      day: input.settledOn,
      cents: toUnits(input.amount, 2),
    };
    const fit = ctx.book.fits(next);
    if (!fit.ok) {
      const later = fit.overdrawnOn && fit.overdrawnOn !== input.settledOn;
      throw validationError([
        {
          field: `${prefix}amount`,
          rule: 'received',
          message: {
            zh: `结汇金额超过该账户已收汇未结汇余额（${input.settledOn}可结汇${money(fit.availableCents)}）${later ? `，且将使${fit.overdrawnOn}的结汇超出收汇` : ''}`,
            en: `the settlement exceeds what was received and not yet settled on this account (${money(fit.availableCents)} available on ${input.settledOn})${later ? `, and would overdraw the settlements of ${fit.overdrawnOn}` : ''}`,
          },
          value: input.amount,
        },
      ]);
    }
    const row: FxAccountSettlementRow = {
      id: newId(),
      org_id: ctx.orgId,
      account_id: account.id,
      settlement_ref: input.settlementRef,
      settled_on: input.settledOn,
      currency: account.currency,
      amount: input.amount,
      rate: input.rate,
      cny_amount: input.cnyAmount,
      receipt_ids: linked.map((r) => r.id),
      created_by: ctx.createdBy,
      created_at: clock.now(),
    };
    ctx.book.add(next);
    ctx.byRef.set(row.settlement_ref, row);
    return { row, replayed: false };
  }

  async function accountOf(me: { orgId: string }, id: string): Promise<{ account: AccountView; settlements: SettlementView[] }> {
    if (!UUID.test(id)) throw notFound(ACCOUNT);
    const all = present((await ledgers(db, [me.orgId])).get(me.orgId)!);
    const account = all.accounts.find((a) => a.id === id);
    if (!account) throw notFound(ACCOUNT);
    return { account, settlements: all.settlements.filter((s) => s.accountId === id) };
  }

  return {
    /** A seller registers one of its FX settlement accounts. */
    async register(p: Principal | null, input: AccountInput): Promise<AccountView> {
      requirePermission(p, 'forex.submit');
      const me = await seller(p);
      const problems = checkAccount(input, cstToday(clock.now()));
      if (problems.length) throw validationError(problems);
      const row: FxSettlementAccountRow = {
        id: newId(),
        org_id: me.orgId,
        ebc_code: me.code,
        jurisdiction: me.jurisdiction,
        account_kind: input.accountKind as FxSettlementAccountRow['account_kind'],
        bank_name: input.bankName.trim(),
        bank_code: input.bankCode,
        account_no: normaliseAccountNo(input.accountNo),
        currency: input.currency,
        opened_on: input.openedOn,
        status: 'active',
        closed_on: null,
        created_at: clock.now(),
      };
      await db.transaction().execute(async (trx) => {
        if (!(await createSettlementAccountRepository(trx).insertAccount(row)))
          throw new DomainError(
            'forex.duplicate',
            { zh: '该账号已登记为结汇账户', en: 'this account number is already registered' },
            { field: 'accountNo' },
          );
        await audit.append(trx, actorOf(p), [
          { action: 'forex.settlement_account_register', entity: 'fx_settlement_account', entityId: row.id, after: input },
        ]);
      });
      return accountView(row, undefined);
    },

    /** The seller's accounts with their balances, the balances per currency, and its settlements. */
    async overview(p: Principal | null) {
      requirePermission(p, 'forex.read');
      const me = await seller(p);
      return present((await ledgers(db, [me.orgId])).get(me.orgId)!);
    },

    /** One of the seller's accounts; another enterprise's id answers 404. */
    async account(p: Principal | null, id: string) {
      requirePermission(p, 'forex.read');
      return accountOf(await seller(p), id);
    },

    /** Closes an account that holds nothing unsettled of its own. */
    async close(p: Principal | null, id: string, closedOn: string): Promise<AccountView> {
      requirePermission(p, 'forex.submit');
      const me = await seller(p);
      if (!UUID.test(id)) throw notFound(ACCOUNT);
      await db.transaction().execute(async (trx) => {
        const repo = createSettlementAccountRepository(trx);
        await repo.lockAccounts(me.orgId);
        const a = await repo.accountOf(me.orgId, id);
        if (!a) throw notFound(ACCOUNT);
        if (a.status !== 'active')
          throw new DomainError('forex.invalid_state', {
            zh: '结汇账户已关闭',
            en: 'the FX settlement account is already closed',
          });
        if (!/^\d{4}-\d{2}-\d{2}$/.test(closedOn) || closedOn < a.opened_on || closedOn > cstToday(clock.now()))
          throw validationError([
            {
              field: 'closedOn',
              rule: 'date',
              message: {
                zh: '销户日期应为YYYY-MM-DD，不早于开户日期且不晚于今天',
                en: 'closedOn: YYYY-MM-DD, not before opening, not in the future',
              },
              value: closedOn,
            },
          ]);
        const l = (await ledgers(trx, [me.orgId])).get(me.orgId)!;
        const b = balances(l.accounts, l.received, l.settled).accounts.find((x) => x.accountId === id);
        if (b && toUnits(b.unsettled, 2) > 0n)
          throw new DomainError(
            'forex.invalid_state',
            {
              zh: `账户尚有未结汇余额${b.unsettled}，不能关闭`,
              en: `the account still holds ${b.unsettled} received and not settled; it cannot be closed`,
            },
            { field: 'closedOn' },
          );
        await repo.closeAccount(me.orgId, id, closedOn);
        await audit.append(trx, actorOf(p), [
          { action: 'forex.settlement_account_close', entity: 'fx_settlement_account', entityId: id, after: { closedOn } },
        ]);
      });
      return (await accountOf(me, id)).account;
    },

    /**
     * A settlement (结汇) from one account. Idempotent on `settlementRef`: a retry answers the stored
     * settlement with `replayed`; the same reference with other figures is a conflict.
     */
    async settle(
      p: Principal | null,
      accountId: string,
      input: SettlementInput,
    ): Promise<{ settlement: SettlementView; replayed: boolean }> {
      requirePermission(p, 'forex.submit');
      const me = await seller(p);
      if (!UUID.test(accountId)) throw notFound(ACCOUNT);
      return db.transaction().execute(async (trx) => {
        const repo = createSettlementAccountRepository(trx);
        await repo.lockAccounts(me.orgId);
        const account = await repo.accountOf(me.orgId, accountId);
        if (!account) throw notFound(ACCOUNT);
        const ctx = await settleContext(trx, me.orgId, [input.settledOn], p.userId);
        await ctx.lookUp([input.settlementRef], input.receiptRefNos ?? []);
        const out = decide(ctx, account, input, '');
        if (!out.replayed) {
          await repo.insertSettlement(out.row);
          await audit.append(trx, actorOf(p), [
            { action: 'forex.settlement', entity: 'fx_settlement', entityId: out.row.id, after: { accountId, ...input } },
          ]);
        }
        return { settlement: settlementView(out.row, account.account_no), replayed: out.replayed };
      });
    },

    /**
     * Settlements as CSV (header: settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount
     * and optionally receiptRefNos, `;`-separated). Rows are taken in order, each against what the
     * earlier ones settled; each bad row is answered with its problems and stores nothing; rows
     * already stored under their settlementRef count as replayed.
     */
    async importCsv(p: Principal | null, csv: string): Promise<SettlementImportOutcome> {
      requirePermission(p, 'forex.submit');
      const me = await seller(p);
      const table = parseCsv(csv);
      const header = (table[0] ?? []).map((h) => h.trim());
      const shape = csvShapeProblems(header, table.length - 1, SETTLEMENT_CSV_COLUMNS, MAX_ROWS);
      if (shape.length) throw validationError(shape);
      // Every row parsed first: the balance book needs the days it will be asked about.
      const rows = table.slice(1).map((cells, i) => {
        const rec = Object.fromEntries(header.map((h, k) => [h, (cells[k] ?? '').trim()]));
        const input: SettlementInput = {
          settlementRef: rec.settlementRef ?? '',
          settledOn: rec.settledOn ?? '',
          currency: rec.currency ?? '',
          amount: rec.amount ?? '',
          rate: rec.rate ?? '',
          cnyAmount: rec.cnyAmount ?? '',
          receiptRefNos: (rec.receiptRefNos ?? '')
            .split(';')
            .map((x) => x.trim())
            .filter(Boolean),
        };
        const row = i + 2; // spreadsheet row number (header is row 1)
        return { row, prefix: `rows[${row}].`, accountNo: rec.accountNo, input };
      });
      return db.transaction().execute(async (trx) => {
        const repo = createSettlementAccountRepository(trx);
        await repo.lockAccounts(me.orgId);
        const ctx = await settleContext(
          trx,
          me.orgId,
          rows.map((r) => r.input.settledOn),
          p.userId,
        );
        const out: SettlementImportOutcome = { imported: 0, replayed: 0, rejected: 0, errors: [] };
        // Rows in batches: one look-up of their settlementRefs and receipt refNos, then each row in
        // order against the book (which counts the rows accepted before it), then one INSERT.
        for (let from = 0; from < rows.length; from += IMPORT_BATCH) {
          const batch = rows.slice(from, from + IMPORT_BATCH);
          await ctx.lookUp(
            batch.map((r) => r.input.settlementRef),
            batch.flatMap((r) => r.input.receiptRefNos ?? []),
          );
          const fresh: FxAccountSettlementRow[] = [];
          for (const { row, prefix, accountNo, input } of batch) {
            const account = ctx.byNo.get(normaliseAccountNo(accountNo ?? ''));
            try {
              if (!account)
                throw validationError([
                  {
                    field: `${prefix}accountNo`,
                    rule: 'known',
                    message: { zh: '本企业未登记此结汇账号', en: 'no FX settlement account of yours has this number' },
                    value: accountNo,
                  },
                ]);
              const r = decide(ctx, account, input, prefix);
              if (r.replayed) out.replayed++;
              else {
                out.imported++;
                fresh.push(r.row);
              }
            } catch (e) {
              if (!(e instanceof DomainError)) throw e;
              const problems = e.details?.errors ?? [
                { field: String(e.details?.field ?? `${prefix}settlementRef`), rule: e.code, message: e.bilingual },
              ];
              out.errors.push({ row, problems });
            }
          }
          await repo.insertSettlements(fresh);
        }
        out.rejected = out.errors.length;
        if (out.imported)
          await audit.append(trx, actorOf(p), [
            {
              action: 'forex.settlements_import',
              entity: 'fx_settlement',
              after: { imported: out.imported, rejected: out.rejected },
            },
          ]);
        return out;
      });
    },

    /**
     * The forex officer: accounts and balances of the enterprises of the jurisdiction's
     * reconciliation (those with summary declarations there) and of those that registered accounts
     * in it.
     */
    async desk(p: Principal | null): Promise<EnterpriseSettlementAccounts[]> {
      requirePermission(p, 'forex.review');
      let prefix = '';
      if (!isAdmin(p)) {
        const org = p.organisation;
        const pre = org && org.kind === 'agency' && org.roles.includes('forex') ? jurisdictionPrefix(org.jurisdiction) : null;
        if (pre === null) throw new DomainError('forex.forbidden', { zh: '无权执行此操作', en: 'You may not do this' });
        prefix = pre;
      }
      const decls = await summaryLookup(db).declarations({ customsPrefix: prefix, limit: 5000 });
      const withAccounts = await createSettlementAccountRepository(db).orgIdsByJurisdiction(prefix);
      const orgIds = [...new Set([...decls.map((d) => d.orgId), ...withAccounts])];
      const missing = orgIds.filter((o) => !decls.some((d) => d.orgId === o));
      const all = [...decls, ...(await declarationsOf(db, missing))];
      const ls = await ledgers(db, orgIds, all);
      const dir = organisationDirectory(db);
      const out: EnterpriseSettlementAccounts[] = [];
      for (const orgId of orgIds) {
        const o = await dir.byId(orgId);
        const v = present(ls.get(orgId)!);
        out.push({
          orgId,
          ebcCode: o?.customs_code ?? o?.uscc ?? '',
          ebcName: o?.name ?? '',
          accounts: v.accounts,
          currencies: v.currencies,
        });
      }
      return out.sort((a, b) => a.ebcCode.localeCompare(b.ebcCode));
    },
  };
}

export type SettlementAccountService = ReturnType<typeof createSettlementAccountService>;
