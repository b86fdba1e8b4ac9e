import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { HolidayCalendarService } from './holiday-calendar.service.ts';
import { HolidayAddBody, HolidayRemoveQuery, HolidayYearQuery, HolidayYearSchema } from './holiday-calendar.schema.ts';

export function registerHolidayCalendarRoutes(app: FastifyInstance, calendar: HolidayCalendarService): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/summary/holiday-calendar',
    {
      config: { permission: 'summary.read' },
      schema: {
        tags: ['summary'],
        summary: '节假日安排 / A year of the holiday calendar the summary deadlines use, with its deadlines',
        querystring: HolidayYearQuery,
        response: { 200: HolidayYearSchema },
      },
    },
    async (req) => calendar.year(req.principal, req.query.year),
  );

  r.post(
    '/api/v1/summary/holiday-calendar',
    {
      config: { permission: 'summary.calendar' },
      schema: {
        tags: ['summary'],
        summary: '录入节假日安排 / Enter days of a year’s State Council arrangement (放假, 调休上班), all or none',
        description:
          'A year with any entered day counts as confirmed and replaces the built-in (or provisional) days of that year in every deadline. Platform operator and customs.',
        body: HolidayAddBody,
        response: { 201: HolidayYearSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await calendar.add(req.principal, req.body.year, req.body.days)),
  );

  r.delete(
    '/api/v1/summary/holiday-calendar',
    {
      config: { permission: 'summary.calendar' },
      schema: {
        tags: ['summary'],
        summary: '删除节假日录入 / Remove an entered day (the year falls back to the built-in days with its last one)',
        querystring: HolidayRemoveQuery,
        response: { 200: HolidayYearSchema },
      },
    },
    async (req) => calendar.remove(req.principal, req.query.date),
  );
}
