import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  ImportBody,
  ImportJsonBody,
  ImportOutcomeSchema,
  ReconciliationSchema,
  SettlementBody,
  SettlementLackingSchema,
  SettlementRecordedSchema,
} from './forex.schema.ts';
import type { ForexService } from './forex.service.ts';

export function registerForexRoutes(app: FastifyInstance, deps: { forex: ForexService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { forex } = deps;

  r.post(
    '/api/v1/forex/receipts/import',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '收汇记录导入 / Import bank or payment-institution receipt records (CSV), with per-row errors',
        body: ImportBody,
        response: { 200: ImportOutcomeSchema },
      },
    },
    async (req) => forex.importCsv(req.principal, req.body.csv),
  );

  r.post(
    '/api/v1/forex/receipts/batch',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '收汇记录批量报送 / Bank or payment-institution receipt records as a JSON batch, with per-row errors',
        body: ImportJsonBody,
        response: { 200: ImportOutcomeSchema },
      },
    },
    async (req) => forex.importJson(req.principal, req.body.rows),
  );

  r.get(
    '/api/v1/forex/reconciliation',
    {
      config: { permission: 'forex.read' },
      schema: {
        tags: ['forex'],
        summary: '收汇与报关单核对 / My declared vs received, per period and currency',
        response: { 200: ReconciliationSchema },
      },
    },
    async (req) => forex.myReconciliation(req.principal),
  );

  r.get(
    '/api/v1/forex/desk',
    {
      config: { permission: 'forex.review' },
      schema: {
        tags: ['forex'],
        summary: '外汇核查 / Forex officer: enterprise-level reconciliation of the jurisdiction',
        response: { 200: Type.Array(ReconciliationSchema) },
      },
    },
    async (req) => forex.desk(req.principal),
  );

  r.post(
    '/api/v1/forex/rmb-settlements',
    {
      config: { permission: 'forex.submit' },
      schema: {
        tags: ['forex'],
        summary: '跨境人民币结算记录 / Record a cross-border RMB settlement with its trade evidence (bank / payment institution)',
        body: SettlementBody,
        response: { 201: SettlementRecordedSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await forex.recordSettlement(req.principal, req.body)),
  );

  r.get(
    '/api/v1/pboc/settlements-lacking-evidence',
    {
      config: { permission: 'pboc.review' },
      schema: {
        tags: ['forex'],
        summary:
          '缺少贸易真实性材料的人民币结算 / PBoC desk: RMB settlements naming no trade evidence, or an order or declaration not found',
        response: { 200: SettlementLackingSchema },
      },
    },
    async (req) => forex.settlementsLackingEvidence(req.principal),
  );
}
