import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  AccountBody,
  AccountDetailSchema,
  AccountSchema,
  CloseBody,
  DeskSchema,
  OverviewSchema,
  SettleOutcomeSchema,
  SettlementBody,
  SettlementImportBody,
  SettlementImportOutcomeSchema,
} from './settlement-account.schema.ts';
import type { SettlementAccountService } from './settlement-account.service.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** FX settlement accounts (结汇账户) and FX settlements (结汇) of sellers; the forex officer's view. */
export function registerSettlementAccountRoutes(app: FastifyInstance, deps: { accounts: SettlementAccountService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts } = deps;

  r.post(
    '/api/v1/forex/settlement-accounts',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '登记结汇账户 / Register an FX settlement account (seller)',
        body: AccountBody,
        response: { 201: AccountSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await accounts.register(req.principal, req.body)),
  );

  r.get(
    '/api/v1/forex/settlement-accounts',
    {
      config: { permission: 'forex.read' },
      schema: {
        tags: ['forex'],
        summary: '我的结汇账户 / My FX settlement accounts, balances per account and currency, and settlements',
        response: { 200: OverviewSchema },
      },
    },
    async (req) => accounts.overview(req.principal),
  );

  r.get(
    '/api/v1/forex/settlement-accounts/:id',
    {
      config: { permission: 'forex.read' },
      schema: {
        tags: ['forex'],
        summary: '结汇账户详情 / One FX settlement account with its balance per month and its settlements',
        params: IdParams,
        response: { 200: AccountDetailSchema },
      },
    },
    async (req) => accounts.account(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/forex/settlement-accounts/:id/close',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '关闭结汇账户 / Close an FX settlement account holding nothing unsettled',
        params: IdParams,
        body: CloseBody,
        response: { 200: AccountSchema },
      },
    },
    async (req) => accounts.close(req.principal, req.params.id, req.body.closedOn),
  );

  r.post(
    '/api/v1/forex/settlement-accounts/:id/settlements',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '结汇 / Record an FX settlement from the account (idempotent on settlementRef: a retry answers 200)',
        params: IdParams,
        body: SettlementBody,
        response: { 200: SettleOutcomeSchema, 201: SettleOutcomeSchema },
      },
    },
    async (req, reply) => {
      const out = await accounts.settle(req.principal, req.params.id, req.body);
      return reply.code(out.replayed ? 200 : 201).send(out);
    },
  );

  r.post(
    '/api/v1/forex/settlements/import',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '结汇记录导入 / Import FX settlements (CSV), with per-row errors',
        body: SettlementImportBody,
        response: { 200: SettlementImportOutcomeSchema },
      },
    },
    async (req) => accounts.importCsv(req.principal, req.body.csv),
  );

  r.get(
    '/api/v1/forex/desk/settlement-accounts',
    {
      config: { permission: 'forex.review' },
      schema: {
        tags: ['forex'],
        summary: '结汇账户核查 / Forex officer: FX settlement accounts and balances of the jurisdiction’s enterprises',
        response: { 200: DeskSchema },
      },
    },
    async (req) => accounts.desk(req.principal),
  );
}
