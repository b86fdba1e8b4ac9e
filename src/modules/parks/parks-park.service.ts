import { randomUUID } from 'node:crypto';
import { notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { createParksRepository, type ParkRow } from './parks.repository.ts';
import {
  changeOwned,
  closeOwned,
  creatorOf,
  PARK,
  parksOwnerOf,
  parkView,
  refuseClosed,
  type OwnedKind,
  type ParksServiceDeps,
} from './parks.shared.ts';

/** Parks as a manager edits or closes them. */
const PARKS: OwnedKind<ParkRow, ReturnType<typeof parkView>> = {
  what: PARK,
  entity: 'pk_park',
  lock: (repo, id, owner) => repo.lockParkRow(id, owner),
  view: parkView,
  action: (verb) => `park.${verb}`,
  close: (repo, id, at) => repo.updatePark(id, { status: 'closed', closed_at: at }),
};

/** Parks and distribution centres (产业园区、海外仓分拨中心) and their member enterprises. */
export function createParkService(deps: ParksServiceDeps) {
  const { db, clock } = deps;
  /** Enterprises by customs code or USCC; an unknown code or a non-enterprise refuses them all. */
  async function enterprisesByCodes(field: string, codes: string[]): Promise<{ id: string; code: string | null }[]> {
    const orgs = await organisationDirectory(db).byCodes(codes);
    const of = (c: string) => orgs.find((o) => o.customs_code === c || o.uscc === c);
    const unknown = codes.filter((c) => !of(c));
    if (unknown.length)
      throw validationError([
        {
          field,
          rule: 'exists',
          message: { zh: `企业不存在：${unknown.join('、')}`, en: `unknown enterprises: ${unknown.join(', ')}` },
        },
      ]);
    const others = codes.filter((c) => of(c)!.kind !== 'enterprise');
    if (others.length)
      throw validationError([
        {
          field,
          rule: 'enterprise',
          message: {
            zh: `只有企业可以入驻园区：${others.join('、')}`,
            en: `only enterprises can be park members: ${others.join(', ')}`,
          },
        },
      ]);
    return orgs.filter((o) => o.kind === 'enterprise').map((o) => ({ id: o.id, code: o.customs_code ?? o.uscc }));
  }

  /** Member rows with the enterprises' current names: one directory lookup by code. */
  async function memberViews(rows: { org_id: string; org_code: string | null; joined_at: Date }[]) {
    const dir = organisationDirectory(db);
    const byCode = await dir.byCodes(rows.flatMap((r) => (r.org_code ? [r.org_code] : [])));
    // rows from before codes were kept (migration 002) are looked up one by one
    const legacy = await Promise.all(rows.filter((r) => !r.org_code).map((r) => dir.byId(r.org_id)));
    const byId = new Map([...byCode, ...legacy.filter((o) => o !== undefined)].map((o) => [o.id, o]));
    return rows.map((r) => {
      const o = byId.get(r.org_id);
      return {
        orgId: r.org_id,
        code: r.org_code ?? o?.customs_code ?? o?.uscc ?? null,
        name: o?.name ?? null,
        joinedAt: r.joined_at.toISOString(),
      };
    });
  }

  return {
    async parks() {
      return createParksRepository(db).parks();
    },
    async createPark(
      p: Principal | null | undefined,
      input: {
        name: string;
        nameEn?: string;
        region: string;
        kind: 'park' | 'distribution_centre';
        address?: string;
        memberCodes?: string[];
      },
    ) {
      requirePermission(p, 'parks.manage');
      const owner = creatorOf(p);
      const id = randomUUID();
      const now = clock.now();
      const orgs = await enterprisesByCodes('memberCodes', input.memberCodes ?? []);
      await db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        await repo.insertPark({
          id,
          name: input.name,
          name_en: input.nameEn ?? null,
          region: input.region,
          kind: input.kind,
          address: input.address ?? null,
          created_at: now,
          owner_org_id: owner,
        });
        await repo.addMembers(id, orgs, now);
        await deps.audit.append(trx, actorOf(p), [{ action: 'park.create', entity: 'pk_park', entityId: id, after: input }]);
      });
      return { id };
    },

    /** Corrects a park's name, region, kind or address (null clears the English name or the address). */
    async updatePark(
      p: Principal | null | undefined,
      parkId: string,
      input: {
        name?: string;
        nameEn?: string | null;
        region?: string;
        kind?: 'park' | 'distribution_centre';
        address?: string | null;
      },
    ) {
      requirePermission(p, 'parks.manage');
      return changeOwned(deps, p, PARKS, parkId, 'update', (repo) =>
        repo.updatePark(parkId, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.nameEn !== undefined ? { name_en: input.nameEn || null } : {}),
          ...(input.region !== undefined ? { region: input.region } : {}),
          ...(input.kind !== undefined ? { kind: input.kind } : {}),
          ...(input.address !== undefined ? { address: input.address || null } : {}),
        }),
      );
    },

    /**
     * Closes a park (archived, not deleted): its members stay listed, it takes no new ones, and
     * none of them counts as a park member in an application from then on.
     */
    async closePark(p: Principal | null | undefined, parkId: string) {
      requirePermission(p, 'parks.manage');
      return closeOwned(deps, p, PARKS, parkId);
    },

    /** A park's member enterprises with their current names (never on the public pages). */
    async members(p: Principal | null | undefined, parkId: string) {
      requirePermission(p, 'parks.manage');
      const repo = createParksRepository(db);
      if (!(await repo.parkExists(parkId, parksOwnerOf(p)))) throw notFound(PARK);
      return { items: await memberViews(await repo.members(parkId)) };
    },
    /** Enterprises join a park after it was registered (入驻); those already in keep their date. */
    async addMembers(p: Principal | null | undefined, parkId: string, codes: string[]) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      // the park first: a caller naming no park of its own learns nothing about the codes
      if (!(await createParksRepository(db).parkExists(parkId, owner))) throw notFound(PARK);
      if (codes.length === 0)
        throw validationError([
          {
            field: 'codes',
            rule: 'minItems',
            message: { zh: '请填写至少一个企业代码', en: 'name at least one enterprise code' },
          },
        ]);
      const orgs = await enterprisesByCodes('codes', codes);
      const added = await db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        const park = await repo.lockParkRow(parkId, owner);
        if (!park) throw notFound(PARK);
        if (park.status === 'closed')
          refuseClosed(PARK, park.closed_at, { zh: '不能再有企业入驻', en: 'no enterprise can join it' }, 'codes');
        const n = await repo.addMembers(parkId, orgs, clock.now());
        await deps.audit.append(trx, actorOf(p), [
          { action: 'park.members.add', entity: 'pk_park', entityId: parkId, after: { codes, added: n } },
        ]);
        return n;
      });
      return { added, items: await memberViews(await createParksRepository(db).members(parkId)) };
    },
    async removeMember(p: Principal | null | undefined, parkId: string, orgId: string) {
      requirePermission(p, 'parks.manage');
      const owner = parksOwnerOf(p);
      await db.transaction().execute(async (trx) => {
        const repo = createParksRepository(trx);
        if (!(await repo.lockPark(parkId, owner))) throw notFound(PARK);
        if (!(await repo.removeMember(parkId, orgId))) throw notFound({ zh: '园区入驻企业', en: 'park member' });
        await deps.audit.append(trx, actorOf(p), [
          { action: 'park.members.remove', entity: 'pk_park', entityId: parkId, before: { orgId } },
        ]);
      });
      return { items: await memberViews(await createParksRepository(db).members(parkId)) };
    },
  };
}

export type ParkService = ReturnType<typeof createParkService>;
