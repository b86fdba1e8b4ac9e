import type { AuditLog } from '../../kernel/audit.ts';
import { SYSTEM_ACTOR } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { InspectionAuthority } from '../../kernel/config.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { hashPassword } from './rules/credentials.ts';
import { createCredentialRepository } from './credential.repository.ts';
import type { OrganisationRow } from './identity.tables.ts';
import { createOrganisationRepository } from './organisation.repository.ts';
import { completeUscc } from './rules/enterprise-codes.ts';
import { createUserRepository } from './user.repository.ts';

export const DEMO_PASSWORD = 'cbec-demo';

interface DemoOrg {
  key: string;
  kind: OrganisationRow['kind'];
  name: string;
  nameEn: string;
  customsCode?: string;
  roles: string[];
  jurisdiction: string | null;
}

/**
 * The demo parties of issue #2, exactly: demos, external checks and later issues rely on these
 * names, codes and log-ins. Jurisdiction of an enterprise = its competent customs office.
 */
const ORGS: DemoOrg[] = [
  {
    key: 'platform',
    kind: 'enterprise',
    name: '赣品出海跨境平台有限公司',
    nameEn: 'Ganpin Global Cross-border Platform Co., Ltd.',
    customsCode: '3601960001',
    roles: ['ebp'],
    jurisdiction: '4000',
  },
  {
    key: 'seller',
    kind: 'enterprise',
    name: '景德镇青花瓷业进出口有限公司',
    nameEn: 'Jingdezhen Blue-and-White Porcelain Import & Export Co., Ltd.',
    customsCode: '3601260888',
    roles: ['ebc'],
    jurisdiction: '4004',
  },
  {
    key: 'seller2',
    kind: 'enterprise',
    name: '赣州脐橙电商有限公司',
    nameEn: 'Ganzhou Navel Orange E-commerce Co., Ltd.',
    customsCode: '3601260999',
    roles: ['ebc'],
    jurisdiction: '4003',
  },
  {
    key: 'carrier',
    kind: 'enterprise',
    name: '中国邮政速递物流股份有限公司江西省分公司',
    nameEn: 'China Post EMS Jiangxi Branch',
    customsCode: '3601980012',
    roles: ['logistics'],
    jurisdiction: '4006',
  },
  {
    key: 'payer',
    kind: 'enterprise',
    name: '连通跨境支付有限公司',
    nameEn: 'Liantong Cross-border Payment Co., Ltd.',
    customsCode: '3101960003',
    roles: ['payment'],
    jurisdiction: '2200',
  },
  {
    key: 'broker',
    kind: 'enterprise',
    name: '南昌昌北报关行有限公司',
    nameEn: 'Nanchang Changbei Customs Brokerage Co., Ltd.',
    customsCode: '3601980099',
    roles: ['agent'],
    jurisdiction: '4006',
  },
  {
    key: 'warehouse',
    kind: 'enterprise',
    name: '南昌国际快件监管中心运营有限公司',
    nameEn: 'Nanchang International Express Supervision Centre Operations Co., Ltd.',
    customsCode: '3601980077',
    roles: ['warehouse'],
    jurisdiction: '4006',
  },
  {
    key: 'overseas',
    kind: 'enterprise',
    name: '赣商海外仓服务有限公司 (Los Angeles)',
    nameEn: 'Ganshang Overseas Warehouse Services (Los Angeles)',
    customsCode: '3601990100',
    roles: ['overseas'],
    jurisdiction: '4000',
  },
  {
    key: 'customs',
    kind: 'agency',
    name: '南昌海关',
    nameEn: 'Nanchang Customs',
    roles: ['customs', 'inspection'],
    jurisdiction: '4000',
  },
  {
    key: 'tax',
    kind: 'agency',
    name: '江西省税务局',
    nameEn: 'Jiangxi Provincial Tax Service',
    roles: ['tax'],
    jurisdiction: '4000',
  },
  {
    key: 'forex',
    kind: 'agency',
    name: '国家外汇管理局江西省分局',
    nameEn: 'SAFE Jiangxi Branch',
    roles: ['forex'],
    jurisdiction: '4000',
  },
  {
    key: 'pboc',
    kind: 'agency',
    name: '人行南昌中心支行',
    nameEn: 'PBoC Nanchang Central Sub-branch',
    roles: ['pboc'],
    jurisdiction: '4000',
  },
  {
    key: 'commerce',
    kind: 'agency',
    name: '江西省商务厅',
    nameEn: 'Jiangxi Department of Commerce',
    roles: ['commerce'],
    jurisdiction: '4000',
  },
  {
    key: 'operator',
    kind: 'operator',
    name: 'CBEC Window 平台运营方',
    nameEn: 'CBEC Window platform operator',
    roles: [],
    jurisdiction: null,
  },
];

export const DEMO_USERS: { username: string; org: string; displayName: string; roles: string[]; description: string }[] = [
  {
    username: 'platform',
    org: 'platform',
    displayName: '平台管理员',
    roles: ['enterprise_admin'],
    description: 'e-commerce platform (ebp)',
  },
  { username: 'seller', org: 'seller', displayName: '青花瓷业 业务员', roles: ['enterprise_admin'], description: 'seller (ebc)' },
  {
    username: 'seller2',
    org: 'seller2',
    displayName: '脐橙电商 业务员',
    roles: ['enterprise_admin'],
    description: 'seller (ebc)',
  },
  { username: 'carrier', org: 'carrier', displayName: 'EMS 江西 操作员', roles: ['enterprise_admin'], description: 'logistics' },
  { username: 'payer', org: 'payer', displayName: '连通支付 操作员', roles: ['enterprise_admin'], description: 'payment' },
  {
    username: 'broker',
    org: 'broker',
    displayName: '昌北报关行 报关员',
    roles: ['enterprise_admin'],
    description: 'declaring agent',
  },
  {
    username: 'warehouse',
    org: 'warehouse',
    displayName: '监管中心 操作员',
    roles: ['enterprise_admin'],
    description: 'warehouse operator',
  },
  {
    username: 'overseas',
    org: 'overseas',
    displayName: '海外仓 客服',
    roles: ['enterprise_admin'],
    description: 'overseas service provider',
  },
  {
    username: 'customs',
    org: 'customs',
    displayName: '南昌海关 关员',
    roles: ['customs_officer'],
    description: 'customs officer',
  },
  {
    username: 'inspection',
    org: 'customs',
    displayName: '南昌海关 检验检疫',
    roles: ['inspection_officer'],
    description: 'inspection officer',
  },
  { username: 'tax', org: 'tax', displayName: '税务 专管员', roles: ['tax_officer'], description: 'tax officer' },
  {
    username: 'forex',
    org: 'forex',
    displayName: '外汇局 专管员',
    roles: ['forex_officer'],
    description: 'forex (SAFE) officer',
  },
  { username: 'pboc', org: 'pboc', displayName: '人民银行 专管员', roles: ['pboc_officer'], description: 'central bank officer' },
  {
    username: 'commerce',
    org: 'commerce',
    displayName: '商务厅 统计员',
    roles: ['commerce_officer'],
    description: 'commerce department officer',
  },
  { username: 'admin', org: 'operator', displayName: '平台运营 管理员', roles: ['admin'], description: 'administrator' },
];

/**
 * The separate inspection agency of the `agency` set-up (INSPECTION_AUTHORITY=agency, ADR 0025):
 * the pre-2018 arrangement, inspection & quarantine outside customs, over the same district.
 */
export const DEMO_INSPECTION_AGENCY: DemoOrg = {
  key: 'inspection',
  kind: 'agency',
  name: '江西出入境检验检疫局',
  nameEn: 'Jiangxi Entry-Exit Inspection and Quarantine Bureau',
  roles: ['inspection'],
  jurisdiction: '4000',
};

const CUSTOMS_NAME = '南昌海关';
const INSPECTION_USER = 'inspection';

/** The demo organisations of a set-up: customs with or without the inspection duty, the agency or not. */
function orgsOf(authority: InspectionAuthority): DemoOrg[] {
  if (authority === 'customs') return ORGS;
  return [...ORGS.map((o) => (o.key === 'customs' ? { ...o, roles: ['customs'] } : o)), DEMO_INSPECTION_AGENCY];
}

/** The demo users of a set-up: the inspection officer works in customs, or in the separate agency. */
function usersOf(authority: InspectionAuthority): typeof DEMO_USERS {
  if (authority === 'customs') return DEMO_USERS;
  return DEMO_USERS.map((u) =>
    u.username === INSPECTION_USER ? { ...u, org: DEMO_INSPECTION_AGENCY.key, displayName: '检验检疫局 检验检疫官' } : u,
  );
}

const withDuty = (roles: string[], duty: string, on: boolean): string[] =>
  on ? (roles.includes(duty) ? roles : [...roles, duty]) : roles.filter((r) => r !== duty);

/**
 * Puts an existing demo database into the set-up asked for, changing only what differs:
 * `agency` → the inspection agency exists with the `inspection` duty, customs loses that duty, the
 * demo user `inspection` moves to the agency; `customs` → customs holds the duty again, the user
 * moves back, and an agency left from an earlier `agency` run is kept (its history, any users an
 * administrator added) but holds no duty, so nobody acts for inspection from it. Sessions of the
 * moved user and of every inspection officer of the two organisations end, so none carries the old
 * arrangement. Answers the change (audited by the caller), or null when there was nothing to do or
 * no demo parties yet.
 */
async function arrangeInspectionAuthority(
  trx: Executor,
  authority: InspectionAuthority,
  now: Date,
): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> } | null> {
  const orgs = createOrganisationRepository(trx);
  const users = createUserRepository(trx);
  const customs = await orgs.findAgency(CUSTOMS_NAME);
  const user = await users.findByUsername(INSPECTION_USER);
  if (!customs || !user) return null;
  let agency = await orgs.findAgency(DEMO_INSPECTION_AGENCY.name);
  const separate = authority === 'agency';
  const stateOf = (c: OrganisationRow, a: OrganisationRow | undefined, orgId: string | null) => ({
    customsDuties: c.roles,
    agencyDuties: a?.roles ?? null,
    inspectionUserIn: orgId === c.id ? c.name : a && orgId === a.id ? a.name : orgId,
  });
  const before = stateOf(customs, agency, user.organisation_id);
  const customsRoles = withDuty(customs.roles, 'inspection', !separate);
  const created = separate && !agency;
  if (created) {
    agency = await orgs.insert({
      id: newId(),
      kind: DEMO_INSPECTION_AGENCY.kind,
      name: DEMO_INSPECTION_AGENCY.name,
      name_en: DEMO_INSPECTION_AGENCY.nameEn,
      customs_code: null,
      uscc: null,
      roles: DEMO_INSPECTION_AGENCY.roles,
      jurisdiction: DEMO_INSPECTION_AGENCY.jurisdiction,
      dxp_id: null,
    });
  }
  const agencyRoles = agency ? withDuty(agency.roles, 'inspection', separate) : null;
  const home = separate ? agency! : customs;
  const changed =
    created ||
    customsRoles.join() !== customs.roles.join() ||
    (agency !== undefined && agencyRoles!.join() !== agency.roles.join()) ||
    user.organisation_id !== home.id;
  if (!changed) return null;
  const updatedCustoms = await orgs.update(customs.id, { roles: customsRoles });
  const updatedAgency = agency ? await orgs.update(agency.id, { roles: agencyRoles! }) : undefined;
  if (user.organisation_id !== home.id) {
    const demo = usersOf(authority).find((u) => u.username === INSPECTION_USER)!;
    await users.update(user.id, { organisation_id: home.id, display_name: demo.displayName }, now);
  }
  const credentials = createCredentialRepository(trx);
  const officers = [
    user,
    ...(await users.list({ organisationId: customs.id, limit: 1000 })),
    ...(agency ? await users.list({ organisationId: agency.id, limit: 1000 }) : []),
  ].filter((u) => u.id === user.id || u.roles.includes('inspection_officer'));
  for (const id of new Set(officers.map((u) => u.id))) await credentials.deleteSessions(id);
  return { before, after: stateOf(updatedCustoms, updatedAgency, home.id) };
}

/**
 * At a start on an existing demo database (`ensureDemo`): the inspection set-up follows
 * INSPECTION_AUTHORITY without re-seeding anything else (passwords and data stay). Answers
 * whether anything changed.
 */
export async function applyDemoInspectionAuthority(
  deps: { db: Db; clock: Clock; audit: AuditLog },
  authority: InspectionAuthority,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const change = await arrangeInspectionAuthority(trx, authority, deps.clock.now());
    if (change)
      await deps.audit.append(trx, SYSTEM_ACTOR, [
        {
          action: 'demo.inspection_authority',
          entity: 'organisation',
          before: change.before,
          after: { authority, ...change.after },
        },
      ]);
    return change !== null;
  });
}

export async function hasDemoData(db: Db): Promise<boolean> {
  return (await createUserRepository(db).findByUsername('admin')) !== undefined;
}

/**
 * Creates or restores the demo parties (passwords reset, locks cleared) in the inspection set-up
 * asked for (default `customs`, ADR 0025); run again with the other set-up it switches the
 * existing parties over (`arrangeInspectionAuthority`). Returns org ids by key.
 */
export async function seedIdentityDemo(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  inspectionAuthority?: InspectionAuthority;
}): Promise<Record<string, string>> {
  const authority = deps.inspectionAuthority ?? 'customs';
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return deps.db.transaction().execute(async (trx) => {
    const orgs = createOrganisationRepository(trx);
    const users = createUserRepository(trx);
    const ids: Record<string, string> = {};
    const switched = await arrangeInspectionAuthority(trx, authority, deps.clock.now());
    if (switched)
      await deps.audit.append(trx, SYSTEM_ACTOR, [
        {
          action: 'demo.inspection_authority',
          entity: 'organisation',
          before: switched.before,
          after: { authority, ...switched.after },
        },
      ]);
    const demoOrgs = orgsOf(authority);
    const demoUsers = usersOf(authority);
    for (const o of demoOrgs) {
      const row = await orgs.upsert({
        id: newId(),
        kind: o.kind,
        name: o.name,
        name_en: o.nameEn,
        customs_code: o.customsCode ?? null,
        uscc: o.customsCode ? completeUscc(`91360100MA3${o.customsCode.slice(4)}`) : null,
        roles: o.roles,
        jurisdiction: o.jurisdiction,
        // DXP ids follow the e-port's DXPENT + 10-digit pattern for enterprises.
        dxp_id: o.customsCode ? `DXPENT${o.customsCode}` : null,
      });
      ids[o.key] = row.id;
    }
    for (const u of demoUsers) {
      await users.upsert(
        {
          id: newId(),
          organisation_id: ids[u.org] ?? null,
          username: u.username,
          display_name: u.displayName,
          password_hash: passwordHash,
          roles: u.roles,
          locale: 'zh-CN',
        },
        deps.clock.now(),
      );
    }
    await deps.audit.append(trx, SYSTEM_ACTOR, [
      {
        action: 'demo.seed',
        entity: 'identity',
        after: { organisations: demoOrgs.length, users: demoUsers.length, inspectionAuthority: authority },
      },
    ]);
    return ids;
  });
}
