import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Empty, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { KindTag, OrgRoleTags } from '../components/labels.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { organisationName, useSession } from '../session.tsx';
import type { Organisation } from '../types.ts';

/** 本企业: `GET /api/v1/organisations/{id}` of the user's own organisation. */
export default function OrganisationPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const id = session.user.organisation?.id;
  const query = useQuery({
    queryKey: ['organisations', id],
    queryFn: ({ signal }) => api<Organisation>(`/organisations/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: id !== undefined,
  });

  const code = (value: string | null) =>
    value ? (
      <Typography.Text copyable code>
        {value}
      </Typography.Text>
    ) : (
      '—'
    );

  let body;
  if (!id) body = <Empty description={t('org.none')} />;
  else if (query.isPending) body = <Skeleton active paragraph={{ rows: 6 }} />;
  else if (query.isError) body = <LoadError error={query.error} onRetry={() => void query.refetch()} />;
  else {
    const org = query.data;
    body = (
      <Descriptions
        bordered
        column={{ xs: 1, lg: 2 }}
        size="medium"
        data-testid="organisation-details"
        items={[
          { key: 'name', label: t('org.name'), children: org.name },
          { key: 'nameEn', label: t('org.nameEn'), children: org.nameEn ?? '—' },
          { key: 'kind', label: t('org.kind'), children: <KindTag kind={org.kind} /> },
          { key: 'code', label: t('org.code'), children: code(org.code) },
          { key: 'uscc', label: t('org.uscc'), children: code(org.uscc) },
          { key: 'customsCode', label: t('org.customsCode'), children: code(org.customsCode) },
          { key: 'roles', label: t('org.roles'), children: <OrgRoleTags roles={org.roles} />, span: 'filled' },
          ...(org.kind === 'agency' || org.jurisdiction
            ? [{ key: 'jurisdiction', label: t('org.jurisdiction'), children: org.jurisdiction ?? '—' }]
            : []),
          { key: 'createdAt', label: t('org.createdAt'), children: formatDateTime(org.createdAt, locale) },
        ]}
      />
    );
  }

  return (
    <Page title={session.user.organisation ? organisationName(session.user.organisation, locale) : t('org.pageTitle')}>
      <Card>{body}</Card>
    </Page>
  );
}
