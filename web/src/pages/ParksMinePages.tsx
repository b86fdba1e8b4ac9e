import { useQuery } from '@tanstack/react-query';
import { Card, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import {
  APPLICATION_STATUS_COLOUR,
  certificateHref,
  cstTime,
  type Application,
  type ApplicationStatus,
  type MyEnrolment,
} from '../parks.ts';

/** 我的扶持申报: the enterprise's applications, their status, score and the reason for the decision. */
export function MyApplicationsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const list = useQuery({
    queryKey: ['my-applications'],
    queryFn: ({ signal }) => api<{ items: Application[] }>('/applications', { signal }),
  });
  return (
    <Page title={t('parksWork.myAppsTitle')} testId="my-applications-title">
      <Card>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<Application>
            rowKey="id"
            size="middle"
            data-testid="my-applications-table"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            locale={{ emptyText: t('parksWork.noApps') }}
            pagination={{ defaultPageSize: 50, showTotal: (count) => t('common.total', { count }) }}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('parksWork.programme'), dataIndex: 'programmeName' },
              {
                title: t('parksWork.submittedAt'),
                dataIndex: 'createdAt',
                render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
              },
              {
                title: t('parksWork.status'),
                dataIndex: 'status',
                render: (s: ApplicationStatus) => <Tag color={APPLICATION_STATUS_COLOUR[s]}>{t(`parksWork.statuses.${s}`)}</Tag>,
              },
              { title: t('parksWork.score'), dataIndex: 'score', render: (v: number | null) => v ?? '—' },
              {
                title: t('parksWork.reason'),
                dataIndex: 'note',
                render: (v: string | null, a) =>
                  v ? <Typography.Text type={a.status === 'rejected' ? 'danger' : undefined}>{v}</Typography.Text> : '—',
              },
              {
                title: t('parksWork.decidedAt'),
                dataIndex: 'decidedAt',
                render: (v: string | null) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
              },
            ]}
          />
        )}
      </Card>
    </Page>
  );
}

/** 我的培训: the person's enrolments, attendance, and the certificates to download. */
export function MyTrainingPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const list = useQuery({
    queryKey: ['my-enrolments'],
    queryFn: ({ signal }) => api<{ items: MyEnrolment[] }>('/enrolments', { signal }),
  });
  return (
    <Page title={t('parksWork.myTrainingTitle')} testId="my-training-title">
      <Card>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<MyEnrolment>
            rowKey="offeringId"
            size="middle"
            data-testid="my-training-table"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            locale={{ emptyText: t('parksWork.noEnrolments') }}
            pagination={{ defaultPageSize: 50 }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('parks.name'),
                dataIndex: 'title',
                render: (v: string, r) => (locale === 'en' && r.titleEn ? r.titleEn : v),
              },
              {
                title: t('parks.kind'),
                dataIndex: 'kind',
                render: (k: 'course' | 'event') => <Tag>{t(`publicParks.${k}`)}</Tag>,
              },
              { title: t('publicParks.time'), dataIndex: 'startsAt', render: (v: string) => cstTime(v) },
              { title: t('parks.place'), dataIndex: 'place' },
              {
                title: t('parksWork.attendance'),
                dataIndex: 'attended',
                render: (v: boolean) =>
                  v ? <Tag color="success">{t('parksWork.attended')}</Tag> : <Tag>{t('parksWork.notAttended')}</Tag>,
              },
              {
                title: t('parksWork.certificate'),
                key: 'certificate',
                render: (_: unknown, r) =>
                  r.certificateNo ? (
                    <Space>
                      <Typography.Text code>{r.certificateNo}</Typography.Text>
                      <a
                        href={certificateHref(r.offeringId)}
                        target="_blank"
                        rel="noreferrer"
                        data-testid={`my-certificate-${r.offeringId}`}
                      >
                        {t('parksWork.download')}
                      </a>
                    </Space>
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
        )}
      </Card>
    </Page>
  );
}
