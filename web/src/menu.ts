import {
  ApartmentOutlined,
  AuditOutlined,
  BankOutlined,
  DashboardOutlined,
  KeyOutlined,
  TableOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { MessageKey } from './i18n/zh-CN.ts';
import { hasPermission } from './session.tsx';
import type { Session } from './types.ts';

/**
 * The side menu and the routes behind it: one line per page. `visible` decides both whether the
 * item shows and whether the route opens (otherwise a 403 page). The menu item's label carries
 * `data-testid="menu-<key>"`.
 */
export interface MenuEntry {
  key: string;
  path: string;
  labelKey: MessageKey;
  icon: ComponentType;
  visible: (session: Session) => boolean;
  page: LazyExoticComponent<ComponentType>;
}

const everyone = (): boolean => true;
const can =
  (permission: string) =>
  (session: Session): boolean =>
    hasPermission(session, permission);

// prettier-ignore
export const MENU: readonly MenuEntry[] = [
  { key: 'dashboard', path: '/', labelKey: 'menu.dashboard', icon: DashboardOutlined, visible: everyone, page: lazy(() => import('./pages/DashboardPage.tsx')) },
  { key: 'organisation', path: '/organisation', labelKey: 'menu.organisation', icon: BankOutlined, visible: (s) => s.user.organisation !== null, page: lazy(() => import('./pages/OrganisationPage.tsx')) },
  { key: 'api-keys', path: '/api-keys', labelKey: 'menu.apiKeys', icon: KeyOutlined, visible: can('apikeys.manage'), page: lazy(() => import('./pages/ApiKeysPage.tsx')) },
  { key: 'users', path: '/users', labelKey: 'menu.users', icon: TeamOutlined, visible: can('users.manage'), page: lazy(() => import('./pages/UsersPage.tsx')) },
  { key: 'organisations', path: '/organisations', labelKey: 'menu.organisations', icon: ApartmentOutlined, visible: can('organisations.read_all'), page: lazy(() => import('./pages/OrganisationsPage.tsx')) },
  { key: 'codes', path: '/codes', labelKey: 'menu.codes', icon: TableOutlined, visible: everyone, page: lazy(() => import('./pages/CodesPage.tsx')) },
  { key: 'audit', path: '/audit', labelKey: 'menu.audit', icon: AuditOutlined, visible: can('audit.read'), page: lazy(() => import('./pages/AuditPage.tsx')) },
];

/** The menu entry a location belongs to (longest matching path). */
export function entryForPath(pathname: string): MenuEntry | undefined {
  let best: MenuEntry | undefined;
  for (const entry of MENU) {
    const hit = entry.path === '/' ? pathname === '/' : pathname === entry.path || pathname.startsWith(`${entry.path}/`);
    if (hit && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best;
}
