import {
  AccountBookOutlined,
  AuditOutlined,
  BankOutlined,
  CarOutlined,
  ContainerOutlined,
  DollarOutlined,
  FileSearchOutlined,
  GlobalOutlined,
  HomeOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  ShopOutlined,
  ShoppingCartOutlined,
  SolutionOutlined,
  TransactionOutlined,
} from '@ant-design/icons';
import type { ComponentType } from 'react';
import type { MessageKey } from './i18n/zh-CN.ts';
import type { Session } from './types.ts';

/**
 * One workbench (dashboard) per role. The table maps a role — an enterprise role or agency duty
 * from `organisation.roles`, or a user role from `user.roles` — to the workbench title.
 * Order matters: the first match is the workbench shown first.
 */
export interface Workbench {
  key: string;
  /** the user role (`user.roles`) that opens it */
  userRole?: string;
  /** the organisation role (`organisation.roles`) that opens it */
  orgRole?: string;
  titleKey: MessageKey;
  descKey: MessageKey;
  icon: ComponentType;
}

// prettier-ignore
export const WORKBENCHES: readonly Workbench[] = [
  { key: 'operator', userRole: 'admin', titleKey: 'workbench.operator.title', descKey: 'workbench.operator.desc', icon: SettingOutlined },
  { key: 'customs', userRole: 'customs_officer', orgRole: 'customs', titleKey: 'workbench.customs.title', descKey: 'workbench.customs.desc', icon: SafetyCertificateOutlined },
  { key: 'inspection', userRole: 'inspection_officer', orgRole: 'inspection', titleKey: 'workbench.inspection.title', descKey: 'workbench.inspection.desc', icon: FileSearchOutlined },
  { key: 'tax', userRole: 'tax_officer', orgRole: 'tax', titleKey: 'workbench.tax.title', descKey: 'workbench.tax.desc', icon: AccountBookOutlined },
  { key: 'forex', userRole: 'forex_officer', orgRole: 'forex', titleKey: 'workbench.forex.title', descKey: 'workbench.forex.desc', icon: TransactionOutlined },
  { key: 'pboc', userRole: 'pboc_officer', orgRole: 'pboc', titleKey: 'workbench.pboc.title', descKey: 'workbench.pboc.desc', icon: BankOutlined },
  { key: 'commerce', userRole: 'commerce_officer', orgRole: 'commerce', titleKey: 'workbench.commerce.title', descKey: 'workbench.commerce.desc', icon: AuditOutlined },
  { key: 'ebc', orgRole: 'ebc', titleKey: 'workbench.ebc.title', descKey: 'workbench.ebc.desc', icon: ShopOutlined },
  { key: 'ebp', orgRole: 'ebp', titleKey: 'workbench.ebp.title', descKey: 'workbench.ebp.desc', icon: ShoppingCartOutlined },
  { key: 'logistics', orgRole: 'logistics', titleKey: 'workbench.logistics.title', descKey: 'workbench.logistics.desc', icon: CarOutlined },
  { key: 'payment', orgRole: 'payment', titleKey: 'workbench.payment.title', descKey: 'workbench.payment.desc', icon: DollarOutlined },
  { key: 'agent', orgRole: 'agent', titleKey: 'workbench.agent.title', descKey: 'workbench.agent.desc', icon: SolutionOutlined },
  { key: 'warehouse', orgRole: 'warehouse', titleKey: 'workbench.warehouse.title', descKey: 'workbench.warehouse.desc', icon: ContainerOutlined },
  { key: 'overseas', orgRole: 'overseas', titleKey: 'workbench.overseas.title', descKey: 'workbench.overseas.desc', icon: GlobalOutlined },
];

export const GENERIC_WORKBENCH: Workbench = {
  key: 'generic',
  titleKey: 'workbench.generic.title',
  descKey: 'workbench.generic.desc',
  icon: HomeOutlined,
};

/**
 * The workbenches of a user, best first: those opened by the user's own roles (officers,
 * admin); failing that, those of the organisation's roles (enterprise roles, agency duties).
 */
export function workbenchesOf(session: Session): Workbench[] {
  const byUser = WORKBENCHES.filter((w) => w.userRole && session.user.roles.includes(w.userRole));
  if (byUser.length > 0) return byUser;
  const orgRoles = session.user.organisation?.roles ?? [];
  const byOrg = WORKBENCHES.filter((w) => w.orgRole && orgRoles.includes(w.orgRole));
  return byOrg.length > 0 ? byOrg : [GENERIC_WORKBENCH];
}
