import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { zhCN } from '../i18n/zh-CN.ts';

type OrgRoleKey = keyof typeof zhCN.orgRole;
type UserRoleKey = keyof typeof zhCN.userRole;
type KindKey = keyof typeof zhCN.kind;

const isOrgRole = (r: string): r is OrgRoleKey => Object.hasOwn(zhCN.orgRole, r);
const isUserRole = (r: string): r is UserRoleKey => Object.hasOwn(zhCN.userRole, r);
const isKind = (k: string): k is KindKey => Object.hasOwn(zhCN.kind, k);

const AGENCY_DUTIES = new Set(['customs', 'inspection', 'tax', 'forex', 'pboc', 'commerce']);

/** Label of an enterprise role or agency duty; unknown codes show as they are. */
export function useRoleLabels() {
  const { t } = useTranslation();
  return {
    orgRole: (role: string): string => (isOrgRole(role) ? t(`orgRole.${role}`) : role),
    userRole: (role: string): string => (isUserRole(role) ? t(`userRole.${role}`) : role),
    kind: (kind: string): string => (isKind(kind) ? t(`kind.${kind}`) : kind),
  };
}

export function OrgRoleTags({ roles }: { roles: readonly string[] }) {
  const labels = useRoleLabels();
  if (roles.length === 0) return <>—</>;
  return (
    <Space size={[4, 4]} wrap>
      {roles.map((r) => (
        <Tag key={r} color={AGENCY_DUTIES.has(r) ? 'geekblue' : 'blue'}>
          {labels.orgRole(r)}
        </Tag>
      ))}
    </Space>
  );
}

export function UserRoleTags({ roles }: { roles: readonly string[] }) {
  const labels = useRoleLabels();
  if (roles.length === 0) return <>—</>;
  return (
    <Space size={[4, 4]} wrap>
      {roles.map((r) => (
        <Tag key={r} color={r === 'admin' ? 'volcano' : 'cyan'}>
          {labels.userRole(r)}
        </Tag>
      ))}
    </Space>
  );
}

const KIND_COLOURS: Record<string, string> = {
  enterprise: 'green',
  agency: 'purple',
  operator: 'gold',
};

export function KindTag({ kind }: { kind: string }) {
  const labels = useRoleLabels();
  return <Tag color={KIND_COLOURS[kind] ?? 'default'}>{labels.kind(kind)}</Tag>;
}
