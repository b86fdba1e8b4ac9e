import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { DomainError } from '../../kernel/errors.ts';
import type { InspectionBatchService } from './inspection-batch.service.ts';
import type { InspectionDeclarationService } from './inspection-declaration.service.ts';
import type { InspectionFilingService } from './inspection-filing.service.ts';
import type { InspectionTaskService } from './inspection-task.service.ts';
import {
  Batch,
  BatchInput,
  Decision,
  Declaration,
  DeclarationDetail,
  Filing,
  FilingAmendment,
  FilingInput,
  FindingCode,
  FindingInput,
  Photo,
  Reason,
  Setting,
  SettingInput,
  Task,
  TaskMeasures,
} from './inspection.schema.ts';
import { PHOTO_MAX_BYTES, PHOTO_TYPES, tooLarge } from './rules/photo.rules.ts';

const TAGS = ['inspection'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ListQuery = Type.Object({
  status: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

/**
 * The upload route's own errors, before its handler runs: a body over the photo limit or a type
 * no parser takes. Thrown on, they reach the platform's problem+json handler named and bilingual.
 */
function photoUploadErrors(error: FastifyError): never {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    throw new DomainError('inspection.payload_too_large', tooLarge(), {
      errors: [{ field: 'body', rule: 'maxBytes', message: tooLarge(), value: PHOTO_MAX_BYTES }],
    });
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    throw new DomainError('inspection.unsupported_media_type', {
      zh: `照片须以原始图片上传，Content-Type 为 ${PHOTO_TYPES.join('、')} 之一`,
      en: `upload the photo as the raw image with Content-Type ${PHOTO_TYPES.join(', ')}`,
    });
  throw error;
}

export function registerInspectionRoutes(
  app: FastifyInstance,
  deps: {
    filings: InspectionFilingService;
    tasks: InspectionTaskService;
    batches: InspectionBatchService;
    declarations: InspectionDeclarationService;
  },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { filings, tasks, batches, declarations } = deps;

  r.get(
    '/api/v1/inspection/declarations',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '集中申报单（每企业每日）/ Centralised declarations: inspection-relevant parcels per enterprise and day',
        querystring: Type.Object({
          day: Type.Optional(Type.String({ description: 'yyyy-mm-dd, Beijing day' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Declaration) }) },
      },
    },
    async (req) => ({ items: await declarations.list(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/inspection/declarations/:id',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '集中申报单及其包裹 / One centralised declaration with its parcels',
        params: IdParams,
        response: { 200: DeclarationDetail },
      },
    },
    async (req) => declarations.get(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/inspection/declarations/:id/supervise',
    {
      config: { permission: 'inspection.work' },
      schema: {
        tags: TAGS,
        summary: '在监管中心完成集中监管 / Mark the batch supervised at the supervision centre',
        params: IdParams,
        response: { 200: DeclarationDetail },
      },
    },
    async (req) => declarations.supervise(req.principal, req.params.id),
  );

  r.get(
    '/api/v1/inspection/settings',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '本检验检疫机构的集中申报方式 / My inspection authority’s settings (centralised declaration grouping)',
        response: { 200: Setting },
      },
    },
    async (req) => declarations.setting(req.principal),
  );

  r.put(
    '/api/v1/inspection/settings',
    {
      config: { permission: 'inspection.work' },
      schema: {
        tags: TAGS,
        summary:
          '设置集中申报方式（每企业每日或每总分单）/ Set how parcels are declared: per enterprise and day, or per total-sub bill',
        body: SettingInput,
        response: { 200: Setting },
      },
    },
    async (req) => declarations.putSetting(req.principal, req.body),
  );

  r.post(
    '/api/v1/inspection/batches',
    {
      config: { permission: 'inspection.filing' },
      schema: {
        tags: TAGS,
        summary: '集中申报一个批次 / Declare a batch of a filed quarantine product',
        body: BatchInput,
        response: { 201: Batch },
      },
    },
    async (req, reply) => reply.code(201).send(await batches.declare(req.principal, req.body)),
  );

  r.get(
    '/api/v1/inspection/batches',
    {
      // Enterprises see their own batches, the inspection desk all: checked in the service.
      config: { permission: 'authenticated' },
      schema: {
        tags: TAGS,
        summary:
          '批次核销台账（申报、预留、放行、核销、退回、余量）/ Batch ledger: declared, reserved, released, written off, returned, balance',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(Batch) }) },
      },
    },
    async (req) => ({ items: await batches.ledger(req.principal, req.query) }),
  );

  r.post(
    '/api/v1/inspection/batches/:id/accept',
    {
      config: { permission: 'inspection.work' },
      schema: {
        tags: TAGS,
        summary: '受理批次（此后包裹可核销）/ Accept a declared batch: parcels draw on it from now on',
        params: IdParams,
        response: { 200: Batch },
      },
    },
    async (req) => batches.accept(req.principal, req.params.id),
  );

  for (const [step, summary] of [
    ['reject', '退回批次（须说明理由）/ Reject a declared batch (with a reason)'],
    ['close', '关闭批次（不再核销新包裹）/ Close an accepted batch: no new draws'],
  ] as const) {
    r.post(
      `/api/v1/inspection/batches/:id/${step}`,
      {
        config: { permission: 'inspection.work' },
        schema: { tags: TAGS, summary, params: IdParams, body: Reason, response: { 200: Batch } },
      },
      async (req) => batches[step](req.principal, req.params.id, req.body.reason),
    );
  }

  r.post(
    '/api/v1/inspection/filings',
    {
      config: { permission: 'inspection.filing' },
      schema: {
        tags: TAGS,
        summary:
          '检验检疫备案（企业或商品；退回后可重新提交）/ File the enterprise or a product with inspection (resubmits a rejected one)',
        body: FilingInput,
        response: { 201: Filing },
      },
    },
    async (req, reply) => reply.code(201).send(await filings.submit(req.principal, req.body)),
  );

  r.get(
    '/api/v1/inspection/filings',
    {
      // Enterprises see their own (inspection.filing), the inspection desk all (inspection.read): checked in the service.
      config: { permission: 'authenticated' },
      schema: {
        tags: TAGS,
        summary: '检验检疫备案列表 / Inspection filings (own, or all for the inspection desk)',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(Filing) }) },
      },
    },
    async (req) => ({ items: await filings.list(req.principal, req.query) }),
  );

  r.post(
    '/api/v1/inspection/filings/:id/decision',
    {
      config: { permission: 'inspection.work' },
      schema: {
        tags: TAGS,
        summary: '审核检验检疫备案 / Approve or reject an inspection filing',
        params: IdParams,
        body: Decision,
        response: { 200: Filing },
      },
    },
    async (req) => filings.review(req.principal, req.params.id, req.body),
  );

  r.post(
    '/api/v1/inspection/filings/:id/amend',
    {
      config: { permission: 'inspection.filing' },
      schema: {
        tags: TAGS,
        summary: '变更检验检疫备案（重新审核）/ Amend an approved or suspended inspection filing (back to review)',
        params: IdParams,
        body: FilingAmendment,
        response: { 200: Filing },
      },
    },
    async (req) => filings.amend(req.principal, req.params.id, req.body),
  );

  r.post(
    '/api/v1/inspection/filings/:id/reinstate',
    {
      config: { permission: 'inspection.work' },
      schema: {
        tags: TAGS,
        summary: '恢复已暂停的检验检疫备案 / Reinstate a suspended inspection filing',
        params: IdParams,
        response: { 200: Filing },
      },
    },
    async (req) => filings.measure(req.principal, req.params.id, 'reinstate'),
  );

  for (const [measure, summary] of [
    ['suspend', '暂停检验检疫备案（须说明理由）/ Suspend an inspection filing (with a reason)'],
    ['revoke', '撤销检验检疫备案（须说明理由）/ Revoke an inspection filing (with a reason)'],
  ] as const) {
    r.post(
      `/api/v1/inspection/filings/:id/${measure}`,
      {
        config: { permission: 'inspection.work' },
        schema: { tags: TAGS, summary, params: IdParams, body: Reason, response: { 200: Filing } },
      },
      async (req) => filings.measure(req.principal, req.params.id, measure, req.body.reason),
    );
  }

  r.get(
    '/api/v1/inspection/finding-codes',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '查验结果代码表 / The result code list findings are recorded from',
        response: { 200: Type.Object({ items: Type.Array(FindingCode) }) },
      },
    },
    async (req) => ({ items: tasks.findingCodes(req.principal) }),
  );

  r.get(
    '/api/v1/inspection/tasks',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '查验任务 / Inspection tasks',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(Task) }) },
      },
    },
    async (req) => ({ items: await tasks.list(req.principal, req.query) }),
  );

  r.get(
    '/api/v1/inspection/tasks/by-waybill/:logisticsNo',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '扫运单号打开查验任务 / Scan a waybill number: its task',
        params: Type.Object({ logisticsNo: Type.String({ minLength: 1, maxLength: 60 }) }),
        response: { 200: Task },
      },
    },
    async (req) => tasks.byWaybill(req.principal, req.params.logisticsNo),
  );

  r.get(
    '/api/v1/inspection/tasks/:id',
    {
      config: { permission: 'inspection.read' },
      schema: { tags: TAGS, summary: '查验任务详情 / One inspection task', params: IdParams, response: { 200: Task } },
    },
    async (req) => tasks.get(req.principal, req.params.id),
  );

  r.post(
    '/api/v1/inspection/tasks/:id/findings',
    {
      config: { permission: 'inspection.work' },
      schema: {
        tags: TAGS,
        summary: '记录本部门查验结果（各部门均通过后一次放行）/ Record my agency’s finding (released once every agency passes)',
        params: IdParams,
        body: FindingInput,
        response: { 200: Task },
      },
    },
    async (req) => tasks.record(req.principal, req.params.id, req.body),
  );

  // Photos arrive as the raw image; the parser (and its size limit) is scoped to the upload route.
  void app.register(async (scope) => {
    scope.addContentTypeParser([...PHOTO_TYPES], { parseAs: 'buffer', bodyLimit: PHOTO_MAX_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/v1/inspection/tasks/:id/photos',
      {
        config: { permission: 'inspection.work' },
        bodyLimit: PHOTO_MAX_BYTES,
        errorHandler: photoUploadErrors,
        schema: {
          tags: TAGS,
          summary: '上传查验照片 / Upload an inspection photo for the task',
          description: `The body is the image itself, Content-Type ${PHOTO_TYPES.join(', ')}, at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB; its signature must match the type. Answers the photo's id (201), or the photo already stored when the same bytes are sent again for the task (200). A finding names its photos by these ids.`,
          params: IdParams,
          response: { 200: Photo, 201: Photo },
        },
      },
      async (req, reply) => {
        const r = await tasks.uploadPhoto(req.principal, req.params.id, {
          contentType: req.headers['content-type'],
          body: req.body,
        });
        return reply.code(r.created ? 201 : 200).send(r.photo);
      },
    );
  });

  r.get(
    '/api/v1/inspection/photos/:id',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '查验照片 / An inspection photo (the image), for officers who may see its task',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const photo = await tasks.photo(req.principal, req.params.id);
      const etag = `"${photo.sha256}"`;
      void reply
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('etag', etag)
        .header('content-disposition', 'inline');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.header('content-type', photo.contentType).send(photo.bytes);
    },
  );

  r.get(
    '/api/v1/inspection/measures',
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags: TAGS,
        summary: '查验指标 / Inspection measures',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) }),
        response: { 200: TaskMeasures },
      },
    },
    async (req) => tasks.measures(req.principal, req.query.days),
  );
}
