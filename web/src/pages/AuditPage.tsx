import { ReloadOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import type { AuditEntry, AuditPage as AuditAnswer } from '../types.ts';

const LIMIT = 50;

const idCell = (v: string | null) =>
  v ? (
    <Typography.Text code className="id-cell">
      {v}
    </Typography.Text>
  ) : (
    '—'
  );

/** 审计日志: `GET /api/v1/audit?before=<seq>&limit=50`, newest first, "load more" going back. */
export default function AuditPage() {
  const { t } = useTranslation();
  const locale = useLocale();

  const log = useInfiniteQuery({
    queryKey: ['audit'],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam, signal }) => api<AuditAnswer>('/audit', { query: { before: pageParam, limit: LIMIT }, signal }),
    getNextPageParam: (last) => last.nextBefore,
  });

  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: TableColumnsType<AuditEntry> = [
    { title: t('audit.seq'), dataIndex: 'seq', key: 'seq', width: 90 },
    {
      title: t('audit.at'),
      dataIndex: 'at',
      key: 'at',
      width: 180,
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      key: 'action',
      render: (v: string) => <Tag color="blue">{v}</Tag>,
    },
    { title: t('audit.entity'), dataIndex: 'entity', key: 'entity' },
    { title: t('audit.entityId'), dataIndex: 'entityId', key: 'entityId', render: idCell },
    { title: t('audit.actorUser'), dataIndex: 'actorUserId', key: 'actorUserId', render: idCell },
    { title: t('audit.actorOrg'), dataIndex: 'actorOrgId', key: 'actorOrgId', render: idCell },
  ];

  return (
    <Page
      title={t('audit.title')}
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void log.refetch()} loading={log.isRefetching}>
          {t('common.refresh')}
        </Button>
      }
    >
      <Card>
        {log.isError ? (
          <LoadError error={log.error} onRetry={() => void log.refetch()} />
        ) : (
          <>
            <Table<AuditEntry>
              rowKey="seq"
              size="medium"
              loading={log.isPending}
              columns={columns}
              dataSource={rows}
              pagination={false}
              scroll={{ x: 'max-content' }}
              expandable={{
                rowExpandable: (row) => row.before != null || row.after != null,
                expandedRowRender: (row) => (
                  <div className="audit-diff">
                    {(['before', 'after'] as const).map((side) => (
                      <div key={side}>
                        <Typography.Text type="secondary">{t(`audit.${side}`)}</Typography.Text>
                        <pre className="json-block">{row[side] == null ? '—' : JSON.stringify(row[side], null, 2)}</pre>
                      </div>
                    ))}
                  </div>
                ),
              }}
              data-testid="audit-table"
            />
            <div className="load-more">
              {log.hasNextPage ? (
                <Button onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
                  {t('common.loadMore')}
                </Button>
              ) : rows.length > 0 ? (
                <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
              ) : null}
            </div>
          </>
        )}
      </Card>
    </Page>
  );
}
