import { BankOutlined } from '@ant-design/icons';
import { Card, Descriptions, Empty, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocale } from '../i18n/index.ts';
import { organisationName } from '../session.tsx';
import type { SessionOrganisation } from '../types.ts';
import { KindTag, OrgRoleTags } from './labels.tsx';

/** The organisation of the logged-in user: name, code, roles, jurisdiction (agencies). */
export function OrganisationCard({ org }: { org: SessionOrganisation | null }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!org) {
    return (
      <Card title={t('org.cardTitle')}>
        <Empty description={t('org.none')} />
      </Card>
    );
  }
  const shown = organisationName(org, locale);
  const other = shown === org.name ? org.nameEn : org.name;
  const items = [
    ...(other
      ? [
          {
            key: 'other',
            label: shown === org.name ? t('org.nameEn') : t('org.nameZh'),
            children: <>{other}</>,
          },
        ]
      : []),
    { key: 'kind', label: t('org.kind'), children: <KindTag kind={org.kind} /> },
    {
      key: 'code',
      label: t('org.code'),
      children: <Typography.Text code={Boolean(org.code)}>{org.code ?? '—'}</Typography.Text>,
    },
    { key: 'roles', label: t('org.roles'), children: <OrgRoleTags roles={org.roles} /> },
  ];
  if (org.kind === 'agency') {
    items.push({ key: 'jurisdiction', label: t('org.jurisdiction'), children: <>{org.jurisdiction ?? '—'}</> });
  }
  return (
    <Card
      data-testid="organisation-card"
      title={
        <span className="org-card-title">
          <BankOutlined /> {shown}
        </span>
      }
    >
      <Descriptions column={1} size="medium" items={items} />
    </Card>
  );
}
