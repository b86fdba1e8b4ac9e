import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { OfferingService } from './parks-offering.service.ts';
import type { ParkService } from './parks-park.service.ts';
import type { ProgrammeService } from './parks-programme.service.ts';

const TAGS = ['parks'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Uuid = Type.String({ format: 'uuid' });
const Status = Type.Union([Type.Literal('submitted'), Type.Literal('approved'), Type.Literal('rejected')]);

/** A certificate PDF, shown in the browser (inline) and saved under its number. */
const sendPdf = (reply: FastifyReply, c: { certificateNo: string; pdf: Buffer }) =>
  reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="${c.certificateNo}.pdf"`)
    .send(c.pdf);
const Kind = Type.Union([Type.Literal('course'), Type.Literal('event')]);
const ParkKind = Type.Union([Type.Literal('park'), Type.Literal('distribution_centre')]);
const Category = Type.Union(['park', 'training', 'overseas_service', 'new_model'].map((c) => Type.Literal(c)));
/** A text that null clears (the English name, the address). */
const Clearable = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));
const RULES_DESCRIPTION =
  '[{metric, op, value}]: metric exportsCny | exportsUsd | parcels | refundsCny | creditLevelRank | parkMember; op >= | <= | =; value a number';
const Lang = Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'column headings, default zh' }));
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** An Excel workbook, saved under `name`. */
const sendXlsx = (reply: FastifyReply, name: string, body: Buffer) =>
  reply.header('content-type', XLSX_TYPE).header('content-disposition', `attachment; filename="${name}"`).send(body);

export function registerParksRoutes(
  app: FastifyInstance,
  deps: { parks: ParkService; offerings: OfferingService; programmes: ProgrammeService },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { parks, offerings, programmes } = deps;

  // --- public pages: parks, courses and events, programmes ----------------------------------------
  r.get(
    '/api/v1/public/parks',
    {
      config: { permission: 'public' },
      schema: { tags: TAGS, summary: '产业园区与海外仓分拨中心 / Parks and distribution centres' },
    },
    async () => ({
      items: await parks.parks(),
    }),
  );
  r.get(
    '/api/v1/public/offerings',
    {
      config: { permission: 'public' },
      schema: {
        tags: TAGS,
        summary: '培训课程与对接会 / Courses and events',
        querystring: Type.Object({ kind: Type.Optional(Kind) }),
      },
    },
    async (req) => ({ items: await offerings.offerings(req.query.kind) }),
  );
  r.get(
    '/api/v1/public/programmes',
    { config: { permission: 'public' }, schema: { tags: TAGS, summary: '扶持项目 / Support programmes' } },
    async () => ({
      items: await programmes.programmes(),
    }),
  );

  // --- commerce department -------------------------------------------------------------------------
  r.post(
    '/api/v1/parks',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '登记园区 / Register a park or distribution centre with its enterprises',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          nameEn: Type.Optional(Type.String({ maxLength: 200 })),
          region: Type.String({ minLength: 1, maxLength: 10 }),
          kind: ParkKind,
          address: Type.Optional(Type.String({ maxLength: 300 })),
          memberCodes: Type.Optional(Type.Array(Type.String({ maxLength: 18 }), { maxItems: 1000 })),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await parks.createPark(req.principal, req.body)),
  );
  r.patch(
    '/api/v1/parks/:id',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '修改园区信息（已关闭的不可改）/ Edit a park (the fields given; null clears nameEn or address)',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            nameEn: Clearable(200),
            region: Type.Optional(Type.String({ minLength: 1, maxLength: 10 })),
            kind: Type.Optional(ParkKind),
            address: Clearable(300),
          },
          { minProperties: 1, additionalProperties: false },
        ),
      },
    },
    async (req) => parks.updatePark(req.principal, req.params.id, req.body),
  );
  r.post(
    '/api/v1/parks/:id/close',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary:
          '关闭园区（归档，不删除；不再接受入驻）/ Close (archive) a park: kept with its members, no new members, no longer a park for eligibility',
        params: IdParams,
      },
    },
    async (req) => parks.closePark(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/parks/:id/members',
    {
      config: { permission: 'parks.manage' },
      schema: { tags: TAGS, summary: '园区入驻企业 / The enterprises in a park', params: IdParams },
    },
    async (req) => parks.members(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/parks/:id/members',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '企业入驻园区 / Add enterprises to a park (customs code or USCC)',
        params: IdParams,
        body: Type.Object({
          codes: Type.Array(Type.String({ minLength: 10, maxLength: 18 }), { minItems: 1, maxItems: 1000 }),
        }),
      },
    },
    async (req) => parks.addMembers(req.principal, req.params.id, req.body.codes),
  );
  r.delete(
    '/api/v1/parks/:id/members/:orgId',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '企业退出园区 / Remove an enterprise from a park',
        params: Type.Object({ id: Uuid, orgId: Uuid }),
      },
    },
    async (req) => parks.removeMember(req.principal, req.params.id, req.params.orgId),
  );
  r.post(
    '/api/v1/offerings',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '发布课程或活动 / Schedule a course or event',
        body: Type.Object({
          kind: Kind,
          title: Type.String({ minLength: 1, maxLength: 200 }),
          titleEn: Type.Optional(Type.String({ maxLength: 200 })),
          startsAt: Type.String({ format: 'date-time' }),
          endsAt: Type.String({ format: 'date-time' }),
          place: Type.String({ minLength: 1, maxLength: 200 }),
          capacity: Type.Integer({ minimum: 1, maximum: 100_000 }),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await offerings.createOffering(req.principal, req.body)),
  );
  r.patch(
    '/api/v1/offerings/:id',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary:
          '修改课程或活动（名额不少于已报名人数；已关闭的不可改）/ Edit a course or event (capacity not below the seats taken)',
        params: IdParams,
        body: Type.Object(
          {
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            titleEn: Clearable(200),
            startsAt: Type.Optional(Type.String({ format: 'date-time' })),
            endsAt: Type.Optional(Type.String({ format: 'date-time' })),
            place: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          },
          { minProperties: 1, additionalProperties: false },
        ),
      },
    },
    async (req) => offerings.updateOffering(req.principal, req.params.id, req.body),
  );
  r.post(
    '/api/v1/offerings/:id/close',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary:
          '关闭课程或活动（停办或归档；不再接受报名）/ Close a course or event (cancelled or archived): no more enrolments, the roster stays',
        params: IdParams,
      },
    },
    async (req) => offerings.closeOffering(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/offerings/:id/roster',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '报名名单（签到与证书）/ Roster: who enrolled, attendance and certificates',
        params: IdParams,
      },
    },
    async (req) => offerings.roster(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/offerings/:id/roster.xlsx',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '导出报名名单（Excel）/ Export the roster to Excel: who enrolled, attendance and certificates',
        params: IdParams,
        querystring: Type.Object({ lang: Lang }),
      },
    },
    async (req, reply) =>
      sendXlsx(reply, `roster-${req.params.id}.xlsx`, await offerings.exportRoster(req.principal, req.params.id, req.query.lang)),
  );
  r.get(
    '/api/v1/offerings/:id/roster/:userId/certificate.pdf',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: "打印学员证书 / A participant's certificate (PDF), for the organiser",
        params: Type.Object({ id: Uuid, userId: Uuid }),
      },
    },
    async (req, reply) => sendPdf(reply, await offerings.certificate(req.principal, req.params.id, req.params.userId)),
  );
  r.post(
    '/api/v1/offerings/:id/attendance',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '签到 / Record attendance (certificates are issued separately, after which a mark cannot be undone)',
        params: IdParams,
        body: Type.Object({ userIds: Type.Array(Uuid, { maxItems: 10_000 }) }),
      },
    },
    async (req) => offerings.recordAttendance(req.principal, req.params.id, req.body.userIds),
  );
  r.delete(
    '/api/v1/offerings/:id/attendance/:userId',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '撤销签到（已颁发证书的不可撤销）/ Undo an attendance mark (refused once its certificate was issued)',
        params: Type.Object({ id: Uuid, userId: Uuid }),
      },
    },
    async (req) => offerings.unmarkAttendance(req.principal, req.params.id, req.params.userId),
  );
  r.post(
    '/api/v1/offerings/:id/certificates',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '颁发证书 / Issue certificates to attendees (the listed ones, or all without one), numbered once',
        params: IdParams,
        body: Type.Object({ userIds: Type.Optional(Type.Array(Uuid, { maxItems: 10_000 })) }),
      },
    },
    async (req) => offerings.issueCertificates(req.principal, req.params.id, req.body.userIds),
  );
  r.post(
    '/api/v1/programmes',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '发布扶持项目（资格规则为数据）/ Publish a support programme (eligibility rules as data)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          category: Category,
          rules: Type.Array(Type.Unknown(), { maxItems: 50, description: RULES_DESCRIPTION }),
          criteria: Type.Optional(
            Type.Array(Type.Unknown(), {
              maxItems: 20,
              description:
                '[{key, name, nameEn, weight, max}], the weights adding up to 100 (no weight: the max); none = the standard rubric',
            }),
          ),
          opensOn: Type.String({ format: 'date' }),
          closesOn: Type.String({ format: 'date' }),
        }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await programmes.createProgramme(req.principal, req.body as Parameters<ProgrammeService['createProgramme']>[1])),
  );
  r.patch(
    '/api/v1/programmes/:id',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary:
          '修改扶持项目（资格规则在有申报后不可改；已关闭的不可改）/ Edit a programme (its eligibility rules are fixed once an enterprise applied)',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            category: Type.Optional(Category),
            rules: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 50, description: RULES_DESCRIPTION })),
            opensOn: Type.Optional(Type.String({ format: 'date' })),
            closesOn: Type.Optional(Type.String({ format: 'date' })),
          },
          { minProperties: 1, additionalProperties: false },
        ),
      },
    },
    async (req) =>
      programmes.updateProgramme(req.principal, req.params.id, req.body as Parameters<ProgrammeService['updateProgramme']>[2]),
  );
  r.post(
    '/api/v1/programmes/:id/close',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary:
          '关闭扶持项目（归档；不再受理申报，已有申报照常评审）/ Close a programme: no more applications; those made are still reviewed',
        params: IdParams,
      },
    },
    async (req) => programmes.closeProgramme(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/programmes',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '扶持项目管理（含评分项与申报数）/ Programmes with their scoring criteria and application counts (commerce)',
      },
    },
    async (req) => ({ items: await programmes.programmesAdmin(req.principal) }),
  );
  r.put(
    '/api/v1/programmes/:id/criteria',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary:
          '设置评分项（权重之和为 100；已有评审决定后不可改）/ Set the scoring criteria (weights add up to 100; fixed once an application was decided)',
        params: IdParams,
        body: Type.Object({
          criteria: Type.Array(Type.Unknown(), {
            maxItems: 20,
            description:
              '[{key, name, nameEn, weight, max}]: weight in per cent (the weights add up to 100), max the points given out of; [] = the standard rubric',
          }),
        }),
      },
    },
    async (req) => programmes.setCriteria(req.principal, req.params.id, req.body.criteria),
  );
  r.get(
    '/api/v1/review/applications',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '扶持申报评审列表 / All applications (commerce)',
        querystring: Type.Object({ programmeId: Type.Optional(Uuid), status: Type.Optional(Status) }),
      },
    },
    async (req) => ({ items: await programmes.applications(req.principal, req.query.programmeId, req.query.status) }),
  );
  r.get(
    '/api/v1/review/applications/export.xlsx',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '导出扶持申报（Excel，筛选同评审列表）/ Export the applications to Excel (same filters as the review list)',
        querystring: Type.Object({ programmeId: Type.Optional(Uuid), status: Type.Optional(Status), lang: Lang }),
      },
    },
    async (req, reply) =>
      sendXlsx(reply, 'support-applications.xlsx', await programmes.exportApplications(req.principal, req.query)),
  );
  r.post(
    '/api/v1/applications/:id/decision',
    {
      config: { permission: 'parks.manage' },
      schema: {
        tags: TAGS,
        summary: '评审扶持申报（按评分项打分，驳回须说明理由）/ Score by criteria and decide (a rejection states its reason)',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
          scores: Type.Optional(
            Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,39}$' }), Type.Integer({ minimum: 0, maximum: 100 }), {
              maxProperties: 20,
            }),
          ),
          score: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (req) => programmes.decide(req.principal, req.params.id, req.body),
  );

  // --- enterprises ----------------------------------------------------------------------------------
  r.post(
    '/api/v1/offerings/:id/enrol',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary: '报名 / Enrol in a course or register for an event',
        params: IdParams,
        // no body at all is the usual call: the log-in name goes on the certificate then
        body: Type.Union([
          Type.Object({
            name: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, description: '证书上的姓名 / the name on the certificate' }),
            ),
          }),
          Type.Null(),
        ]),
      },
    },
    async (req) => offerings.enrol(req.principal, req.params.id, req.body?.name),
  );
  r.delete(
    '/api/v1/offerings/:id/enrol',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary: '取消报名（开始前；释放名额）/ Withdraw my enrolment before the start (the seat is released)',
        params: IdParams,
      },
    },
    async (req) => offerings.withdraw(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/enrolments',
    {
      config: { permission: 'parks.apply' },
      schema: { tags: TAGS, summary: '我的培训与活动（证书）/ My enrolments, attendance and certificates' },
    },
    async (req) => offerings.myEnrolments(req.principal),
  );
  r.get(
    '/api/v1/offerings/:id/certificate.pdf',
    {
      config: { permission: 'parks.apply' },
      schema: { tags: TAGS, summary: '下载本人证书 / My certificate (PDF)', params: IdParams },
    },
    async (req, reply) => sendPdf(reply, await offerings.certificate(req.principal, req.params.id)),
  );
  r.get(
    '/api/v1/programmes/:id/apply-preview',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary:
          '申报预览（不提交）：将附带的平台数据与资格审核结果 / Dry run: the platform figures an application would carry and the eligibility check (nothing stored)',
        params: IdParams,
      },
    },
    async (req) => programmes.previewApplication(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/programmes/:id/apply',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary: '申报扶持资金（自动附平台数据）/ Apply (platform figures attached automatically)',
        params: IdParams,
        body: Type.Object({ statement: Type.String({ minLength: 1, maxLength: 4000 }) }),
      },
    },
    async (req, reply) => reply.code(201).send(await programmes.apply(req.principal, req.params.id, req.body.statement)),
  );
  r.get(
    '/api/v1/applications',
    {
      config: { permission: 'parks.apply' },
      schema: {
        tags: TAGS,
        summary: "本企业扶持申报（状态与决定理由）/ My applications, with status and the decision's reason",
        querystring: Type.Object({ programmeId: Type.Optional(Uuid), status: Type.Optional(Status) }),
      },
    },
    async (req) => ({ items: await programmes.applications(req.principal, req.query.programmeId, req.query.status) }),
  );
}
