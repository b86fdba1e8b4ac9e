import { useQuery } from '@tanstack/react-query';
import { Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { LoadError } from '../../components/Page.tsx';
import { formatDateTime } from '../../format.ts';
import { useLocale } from '../../i18n/index.ts';
import { CaseKindTag, SeverityText } from './labels.tsx';
import type { Notices } from './types.ts';

/** The public notices query (no session needed): the credit page and the public page share it. */
export function useCreditNotices() {
  return useQuery({
    queryKey: ['credit-notices'],
    queryFn: ({ signal }) => api<Notices>('/public/credit/notices', { signal }),
  });
}

/** 信用公示: published cases (marked while under appeal) and the blacklist, as the public API gives them. */
export function NoticesTables() {
  const { t } = useTranslation();
  const locale = useLocale();
  const notices = useCreditNotices();
  if (notices.error) return <LoadError error={notices.error} onRetry={() => void notices.refetch()} />;
  return (
    <>
      <Typography.Title level={5}>{t('publicCredit.cases')}</Typography.Title>
      <Table<Notices['cases'][number]>
        size="small"
        rowKey="id"
        loading={notices.isLoading}
        data-testid="credit-notices-cases"
        dataSource={notices.data?.cases ?? []}
        locale={{ emptyText: t('publicCredit.noCases') }}
        columns={[
          { title: t('credit.subject'), dataIndex: 'subjectName' },
          { title: t('credit.code'), dataIndex: 'subjectCode' },
          { title: t('credit.kind'), dataIndex: 'kind', render: (k: string) => <CaseKindTag kind={k} /> },
          {
            title: t('credit.severity'),
            dataIndex: 'severity',
            render: (s: Notices['cases'][number]['severity']) => <SeverityText severity={s} />,
          },
          {
            title: t('credit.decision'),
            dataIndex: 'decision',
            render: (d: string | null, r) => (
              <>
                {d ?? '—'} {r.underAppeal ? <Tag color="purple">{t('credit.underAppeal')}</Tag> : null}
              </>
            ),
          },
          { title: t('credit.publishedAt'), dataIndex: 'publishedAt', render: (v: string | null) => formatDateTime(v, locale) },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('publicCredit.blacklist')}
      </Typography.Title>
      <Table<Notices['blacklist'][number]>
        size="small"
        rowKey="code"
        loading={notices.isLoading}
        data-testid="credit-notices-blacklist"
        dataSource={notices.data?.blacklist ?? []}
        locale={{ emptyText: t('publicCredit.noBlacklist') }}
        columns={[
          { title: t('credit.subject'), dataIndex: 'name' },
          { title: t('credit.code'), dataIndex: 'code' },
          { title: t('publicCredit.reason'), dataIndex: 'reason' },
          { title: t('publicCredit.listedAt'), dataIndex: 'listedAt', render: (v: string) => formatDateTime(v, locale) },
        ]}
      />
    </>
  );
}
