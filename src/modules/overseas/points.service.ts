import { DomainError, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { createOverseasRepository, type PointRow, type RequestRow } from './overseas.repository.ts';
import { bi, providerOf, sellerOf, type OverseasDeps } from './overseas.shared.ts';
import { SERVICE_KINDS, type PointService } from './rules/returns.rules.ts';

const toPoint = (r: PointRow) => ({
  id: r.id,
  name: r.name,
  country: r.country,
  city: r.city,
  services: r.services,
  contact: r.contact,
  description: r.description,
  active: r.active,
});
/** The directory lists active points only: `active` would say nothing and is left out. */
const toPublicPoint = (r: PointRow) => {
  const { active: _active, ...rest } = toPoint(r);
  return rest;
};
const toRequest = (r: RequestRow & { point_name?: string }) => ({
  id: r.id,
  pointId: r.point_id,
  pointName: r.point_name ?? null,
  service: r.service,
  message: r.message,
  status: r.status,
  reply: r.reply,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Which answers a provider may give to a request, from which state. */
const REQUEST_MOVES: Readonly<
  Record<'accept' | 'decline' | 'complete', { from: RequestRow['status'][]; to: RequestRow['status'] }>
> = {
  accept: { from: ['open'], to: 'accepted' },
  decline: { from: ['open'], to: 'declined' },
  complete: { from: ['accepted'], to: 'done' },
};

export interface PointInput {
  name: string;
  country: string;
  city: string;
  services: string[];
  contact: string;
  description?: string;
}

/** A point as registered or edited: country ISO 3166 alpha-2, services from the list, name, city and contact given. */
function checkPoint(input: PointInput): Pick<PointRow, 'name' | 'country' | 'city' | 'services' | 'contact' | 'description'> {
  const problems: FieldProblem[] = [];
  const country = input.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    problems.push({
      field: 'country',
      rule: 'iso3166',
      message: bi('国家须为 ISO 3166 两位字母代码', 'country must be ISO 3166 alpha-2'),
      value: input.country,
    });
  const services = [...new Set(input.services)];
  if (!services.length || services.some((s) => !(SERVICE_KINDS as readonly string[]).includes(s)))
    problems.push({
      field: 'services',
      rule: 'enum',
      message: bi(`服务须为 ${SERVICE_KINDS.join('/')}`, `services must be among ${SERVICE_KINDS.join(', ')}`),
    });
  for (const field of ['name', 'city', 'contact'] as const)
    if (!input[field].trim())
      problems.push({
        field,
        rule: 'required',
        message: bi('名称、城市、联系方式必填', 'name, city and contact are required'),
      });
  if (problems.length) throw validationError(problems);
  return {
    name: input.name.trim(),
    country,
    city: input.city.trim(),
    services,
    contact: input.contact.trim(),
    description: input.description?.trim() ?? '',
  };
}

/** The provider's own active point, locked; another provider's (or none) is not found, a retired one is final. */
async function ownPoint(repo: ReturnType<typeof createOverseasRepository>, id: string, providerOrgId: string) {
  const point = await repo.point(id, true);
  if (!point || point.provider_org_id !== providerOrgId) throw notFound(bi('服务网点', 'service point'));
  if (!point.active)
    throw new DomainError(
      'overseas.invalid_state',
      bi('网点已停用，不能再修改或停用', 'the point is retired: it cannot be changed'),
      {
        state: 'retired',
      },
    );
  return point;
}

export type PointsService = ReturnType<typeof createPointsService>;

/** Overseas service points (境外服务体系): registration, the public directory, SME requests. */
export function createPointsService(deps: OverseasDeps) {
  const { db, clock, audit } = deps;
  return {
    async register(p: Principal | null, input: PointInput) {
      requirePermission(p, 'servicepoints.manage');
      const prov = providerOf(p);
      const fields = checkPoint(input);
      return db.transaction().execute(async (trx) => {
        const row = await createOverseasRepository(trx).insertPoint({
          id: newId(),
          provider_org_id: prov.id,
          ...fields,
          active: true,
          created_at: clock.now(),
        });
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.point_registered', entity: 'service_point', entityId: row.id, after: toPoint(row) },
        ]);
        return toPoint(row);
      });
    },

    /** The provider's own points, retired ones too (the directory shows active ones only). */
    async mine(p: Principal | null) {
      requirePermission(p, 'servicepoints.manage');
      const prov = providerOf(p);
      return (await createOverseasRepository(db).pointsOf(prov.id)).map(toPoint);
    },

    /** The provider corrects its point: same rules as registering; a retired point stays retired and is not edited. */
    async edit(p: Principal | null, id: string, input: PointInput) {
      requirePermission(p, 'servicepoints.manage');
      const prov = providerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        // Ownership first: another provider's id is 404 whatever the body says.
        const before = await ownPoint(repo, id, prov.id);
        const fields = checkPoint(input);
        const row = await repo.updatePoint(id, fields);
        await audit.append(trx, actorOf(p), [
          {
            action: 'overseas.point_updated',
            entity: 'service_point',
            entityId: id,
            before: toPoint(before),
            after: toPoint(row),
          },
        ]);
        return toPoint(row);
      });
    },

    /** The provider retires its point: out of the public directory, no new requests; open ones can still be answered. */
    async deactivate(p: Principal | null, id: string) {
      requirePermission(p, 'servicepoints.manage');
      const prov = providerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        const before = await ownPoint(repo, id, prov.id);
        const row = await repo.deactivatePoint(id);
        await audit.append(trx, actorOf(p), [
          {
            action: 'overseas.point_deactivated',
            entity: 'service_point',
            entityId: id,
            before: toPoint(before),
            after: toPoint(row),
          },
        ]);
        return toPoint(row);
      });
    },

    /** The public directory: no log-in, filters instead of a map. */
    async directory(q: { country?: string; city?: string; service?: PointService; q?: string }) {
      const rows = await createOverseasRepository(db).points({
        ...(q.country ? { country: q.country.toUpperCase() } : {}),
        ...(q.city ? { city: q.city } : {}),
        ...(q.service ? { service: q.service } : {}),
        ...(q.q ? { q: q.q } : {}),
      });
      return rows.map(toPublicPoint);
    },

    async request(p: Principal | null, input: { pointId: string; service: PointService; message: string }) {
      requirePermission(p, 'servicepoints.request');
      const seller = sellerOf(p);
      const point = await createOverseasRepository(db).point(input.pointId);
      if (!point || !point.active) throw notFound(bi('服务网点', 'service point'));
      if (!point.services.includes(input.service))
        throw validationError([
          { field: 'service', rule: 'offered', message: bi('该网点不提供此项服务', 'the point does not offer this service') },
        ]);
      if (!input.message.trim())
        throw validationError([{ field: 'message', rule: 'required', message: bi('请说明需求', 'describe what you need') }]);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await createOverseasRepository(trx).insertRequest({
          id: newId(),
          point_id: point.id,
          requester_org_id: seller.id,
          service: input.service,
          message: input.message.trim(),
          status: 'open',
          reply: null,
          created_at: now,
          updated_at: now,
        });
        await audit.append(trx, actorOf(p), [
          { action: 'overseas.request_sent', entity: 'service_request', entityId: row.id, after: toRequest(row) },
        ]);
        return toRequest({ ...row, point_name: point.name });
      });
    },

    /** The SME sees its requests; a provider the requests to its points. */
    async requests(p: Principal | null) {
      requirePermission(p, 'servicepoints.request');
      const org = p.organisation;
      const rows = await createOverseasRepository(db).requests(
        org?.roles.includes('overseas') ? { providerOrgId: org.id } : { requesterOrgId: sellerOf(p).id },
      );
      return rows.map(toRequest);
    },

    async answer(p: Principal | null, id: string, input: { action: 'accept' | 'decline' | 'complete'; reply?: string }) {
      requirePermission(p, 'servicepoints.manage');
      const prov = providerOf(p);
      return db.transaction().execute(async (trx) => {
        const repo = createOverseasRepository(trx);
        const r = await repo.request(id);
        if (!r || r.provider_org_id !== prov.id) throw notFound(bi('服务请求', 'service request'));
        const move = REQUEST_MOVES[input.action];
        if (!move.from.includes(r.status))
          throw new DomainError(
            'overseas.invalid_state',
            bi(`请求处于 ${r.status} 状态，不能 ${input.action}`, `a ${r.status} request cannot take ${input.action}`),
            { state: r.status },
          );
        const updated = await repo.updateRequest(id, move.to, input.reply?.trim() || r.reply, clock.now());
        await audit.append(trx, actorOf(p), [
          {
            action: `overseas.request_${input.action}`,
            entity: 'service_request',
            entityId: id,
            before: toRequest(r),
            after: toRequest(updated),
          },
        ]);
        return toRequest(updated);
      });
    },
  };
}
