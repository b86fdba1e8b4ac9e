import { CheckOutlined, CloseOutlined, HistoryOutlined, ReloadOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Empty, Input, Modal, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { RiskMeasuresCard } from '../components/RiskMeasuresCard.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { RiskDecisionDrawer } from './RiskDecisionHistory.tsx';
import { LANE_COLOR } from './RiskRulesPage.tsx';

interface Hit {
  rule: string;
  lane: string;
  zh: string;
  en: string;
  detailZh: string;
  detailEn: string;
}

interface HitRow {
  inventoryId: string;
  ebcCode: string;
  total: string;
  lane: 'green' | 'review' | 'inspect' | 'hold';
  hits: Hit[];
  goods: string;
  logisticsNo: string | null;
  orderNo: string | null;
  decidedAt: string;
}

/** What the bulk review answers per inventory. */
interface BulkOutcome {
  id: string;
  ok: boolean;
  status: string | null;
  code: string | null;
  zh: string | null;
  en: string | null;
}

/** Held inventories with the rules that hit them, explained; the officer approves or rejects in bulk. */
export default function RiskHitsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string[]>([]);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [failures, setFailures] = useState<(BulkOutcome & { label: string })[]>([]);
  // the parcel whose decision history is open
  const [history, setHistory] = useState<HitRow | null>(null);
  // Oldest held parcels first (the server's order: officers work first in, first out), 200 a page:
  // the queue may be long after a busy day.
  const list = useInfiniteQuery({
    queryKey: ['risk', 'hits'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<{ items: HitRow[]; total: number; nextCursor: string | null }>('/risk/hits', {
        query: { cursor: pageParam, limit: 200 },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total ?? 0;

  const bulk = useMutation({
    // One request: clearance decides each inventory on its own and answers the outcome of each, so
    // one that fails (decided meanwhile, no longer held) stops none of the others.
    mutationFn: (input: { approve: boolean; reason?: string }) =>
      api<{ items: BulkOutcome[] }>('/customs/reviews/bulk', {
        method: 'POST',
        body: {
          ids: selected,
          action: input.approve ? 'approve' : 'reject',
          ...(input.approve ? {} : { reason: input.reason ?? '' }),
        },
      }),
    onSuccess: async ({ items }) => {
      const done = items.filter((i) => i.ok);
      const failed = items.filter((i) => !i.ok);
      if (done.length) void message.success(t('risk.done', { n: done.length }));
      const waybill = new Map(rows.map((r) => [r.inventoryId, r.logisticsNo ?? r.inventoryId]));
      setFailures(failed.map((f) => ({ ...f, label: waybill.get(f.id) ?? f.id })));
      // The handled left the queue; a failed one is named above (it may have left the queue too).
      setSelected([]);
      setRejecting(false);
      await queryClient.invalidateQueries({ queryKey: ['risk'] });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const columns: TableColumnsType<HitRow> = [
    { title: t('risk.waybill'), dataIndex: 'logisticsNo', key: 'logisticsNo', width: 150 },
    { title: t('risk.seller'), dataIndex: 'ebcCode', key: 'ebcCode', width: 120 },
    { title: t('risk.total'), dataIndex: 'total', key: 'total', width: 90 },
    {
      title: t('risk.lane'),
      dataIndex: 'lane',
      key: 'lane',
      width: 100,
      render: (lane: HitRow['lane']) => <Tag color={LANE_COLOR[lane]}>{t(`risk.lanes.${lane}`)}</Tag>,
    },
    {
      title: t('risk.hits'),
      key: 'hits',
      render: (_: unknown, r) => (
        <div data-testid={`risk-hit-${r.logisticsNo ?? r.inventoryId}`}>
          {r.hits.map((h) => (
            <div key={h.rule}>
              <Tag color={LANE_COLOR[h.lane]}>{h.rule}</Tag>
              {locale === 'en' ? `${h.en}: ${h.detailEn}` : `${h.zh}：${h.detailZh}`}
            </div>
          ))}
        </div>
      ),
    },
    {
      title: t('risk.decidedAt'),
      dataIndex: 'decidedAt',
      key: 'decidedAt',
      width: 170,
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      title: '',
      key: 'history',
      width: 110,
      render: (_: unknown, r) => (
        <Button
          size="small"
          icon={<HistoryOutlined />}
          onClick={() => setHistory(r)}
          data-testid={`risk-history-${r.logisticsNo ?? r.inventoryId}`}
        >
          {t('risk.decisionHistory')}
        </Button>
      ),
    },
  ];

  return (
    <Page
      title={t('risk.hitsTitle')}
      testId="risk-hits-title"
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} />
          <Button
            type="primary"
            icon={<CheckOutlined />}
            disabled={!selected.length}
            loading={bulk.isPending}
            onClick={() => bulk.mutate({ approve: true })}
            data-testid="risk-bulk-approve"
          >
            {t('risk.approve')}
          </Button>
          <Button
            danger
            icon={<CloseOutlined />}
            disabled={!selected.length}
            onClick={() => setRejecting(true)}
            data-testid="risk-bulk-reject"
          >
            {t('risk.reject')}
          </Button>
        </Space>
      }
    >
      <RiskMeasuresCard />
      {failures.length ? (
        <Alert
          type="warning"
          showIcon
          closable
          className="block-gap"
          onClose={() => setFailures([])}
          data-testid="risk-bulk-failures"
          title={t('risk.bulkFailed', { n: failures.length })}
          description={
            <ul>
              {failures.map((f) => (
                <li key={f.id} data-testid={`risk-bulk-failure-${f.label}`}>
                  {f.label}: {(locale === 'en' ? f.en : f.zh) ?? f.code}
                  {f.code === 'not_found' ? ` ${t('risk.bulkNotFound')}` : ''}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<HitRow>
          rowKey="inventoryId"
          loading={list.isLoading}
          columns={columns}
          dataSource={rows}
          pagination={false}
          rowSelection={{
            selectedRowKeys: selected,
            onChange: (keys) => setSelected(keys as string[]),
            // Selected for inspection: released by its inspection task. Held (no inspection filing,
            // prohibited goods): released when the cause is removed, never by a plain approval.
            // Both may be rejected one by one on the review queue.
            getCheckboxProps: (r) => ({ disabled: r.lane === 'inspect' || r.lane === 'hold' }),
          }}
          locale={{ emptyText: <Empty description={t('risk.empty')} /> }}
          size="small"
          footer={() => (
            <Space data-testid="risk-hits-total">
              {t('common.total', { count: total })}
              {list.hasNextPage ? (
                <Button size="small" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {t('common.loadMore')}
                </Button>
              ) : null}
            </Space>
          )}
        />
      )}
      <RiskDecisionDrawer
        inventoryId={history?.inventoryId ?? null}
        title={history?.logisticsNo ?? history?.inventoryId ?? ''}
        onClose={() => setHistory(null)}
      />
      <Modal
        open={rejecting}
        title={t('risk.reject')}
        onCancel={() => setRejecting(false)}
        onOk={() => bulk.mutate({ approve: false, reason })}
        confirmLoading={bulk.isPending}
        okButtonProps={{ 'data-testid': 'risk-reject-confirm' }}
      >
        {bulk.error ? <Alert type="error" showIcon title={errorMessage(bulk.error, locale)} /> : null}
        <Input.TextArea
          rows={3}
          placeholder={t('risk.rejectReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="risk-reject-reason"
        />
      </Modal>
    </Page>
  );
}
