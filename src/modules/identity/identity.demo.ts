import type { AuditLog } from '../../kernel/audit.ts';
import { SYSTEM_ACTOR } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { hashPassword } from './rules/credentials.ts';
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

export async function hasDemoData(db: Db): Promise<boolean> {
  return (await createUserRepository(db).findByUsername('admin')) !== undefined;
}

/** Creates or restores the demo parties (passwords reset, locks cleared). Returns org ids by key. */
export async function seedIdentityDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<Record<string, string>> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return deps.db.transaction().execute(async (trx) => {
    const orgs = createOrganisationRepository(trx);
    const users = createUserRepository(trx);
    const ids: Record<string, string> = {};
    for (const o of ORGS) {
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
    for (const u of DEMO_USERS) {
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
      { action: 'demo.seed', entity: 'identity', after: { organisations: ORGS.length, users: DEMO_USERS.length } },
    ]);
    return ids;
  });
}
