import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ExportQuery, FxRate, StatsQuery, StatsTable } from './statistics.schema.ts';
import type { StatisticsService } from './statistics.service.ts';

const TAGS = ['statistics'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FxRateView = Type.Object({
  currency: Type.String(),
  validFrom: Type.String(),
  cnyPerUnit: Type.String(),
  source: Type.String(),
});
const PendingView = Type.Array(
  Type.Object({
    currency: Type.String(),
    inventories: Type.Integer(),
    firstDay: Type.String(),
    lastDay: Type.String(),
  }),
  { description: 'closed inventories waiting for a rate, per missing currency (folded once it is set)' },
);

export function registerStatisticsRoutes(app: FastifyInstance, deps: { statistics: StatisticsService }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { statistics } = deps;

  r.get(
    '/api/v1/statistics',
    {
      config: { permission: 'statistics.read' },
      schema: {
        tags: TAGS,
        summary: '跨境电商出口统计 / CBEC export statistics grouped by one dimension',
        description:
          'Closed (899) inventories, folded incrementally. Customs, inspection and commerce see the offices of their jurisdiction, the operator all, an enterprise itself. Definitions: docs/metrics.md.',
        querystring: Type.Intersect([
          StatsQuery,
          Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])) }),
        ]),
        response: { 200: StatsTable },
      },
    },
    async (req) => {
      const { lang, ...q } = req.query;
      return statistics.table(req.principal, q, lang ?? 'zh');
    },
  );

  r.get(
    '/api/v1/statistics/export.xlsx',
    {
      config: { permission: 'statistics.read' },
      schema: {
        tags: TAGS,
        summary: '导出统计表（Excel）/ Export statistics tables to Excel (one sheet per dimension)',
        querystring: ExportQuery,
      },
    },
    async (req, reply) =>
      reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="cbec-statistics.xlsx"')
        .send(await statistics.exportXlsx(req.principal, req.query)),
  );

  r.get(
    '/api/v1/statistics/metrics',
    {
      config: { permission: 'public' },
      schema: { tags: TAGS, summary: '统计指标定义 / Metric and dimension definitions' },
    },
    async () => statistics.metrics(),
  );

  r.get(
    '/api/v1/statistics/fx-rates',
    {
      config: { permission: 'statistics.read' },
      schema: {
        tags: TAGS,
        summary: '折算汇率（及待汇率折算的清单）/ Exchange rates used by statistics, and inventories waiting for one',
        response: { 200: Type.Object({ items: Type.Array(FxRateView), pending: PendingView }) },
      },
    },
    async (req) => statistics.rates(req.principal),
  );

  r.put(
    '/api/v1/statistics/fx-rates',
    {
      config: { permission: 'statistics.manage' },
      schema: {
        tags: TAGS,
        summary:
          '设置折算汇率（待该币制汇率的清单随即计入）/ Set an exchange rate (applies to inventories folded from then on; those waiting for it are folded now)',
        body: FxRate,
        response: {
          200: Type.Object({
            items: Type.Array(FxRateView),
            pendingFolded: Type.Integer({ description: 'inventories that waited for this rate, folded now' }),
            pending: PendingView,
          }),
        },
      },
    },
    async (req) => statistics.setRate(req.principal, req.body),
  );
}
