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
  FilingInput,
  FindingInput,
  Photo,
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
        summary: '批次核销台账（申报、放行、核销、余量）/ Batch ledger: declared, released, written off, balance',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Object({ items: Type.Array(Batch) }) },
      },
    },
    async (req) => ({ items: await batches.ledger(req.principal, req.query.limit) }),
  );

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
