import { CheckOutlined, CloseOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Form, Input, Modal, Space, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import type { ClearanceDocument, ReviewItem } from '../clearance.ts';
import { HeadFields, LinesTable } from '../components/Documents.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { CebStatusTag } from '../components/StatusTag.tsx';
import { useLocale } from '../i18n/index.ts';

const KEY = ['customs', 'reviews'] as const;

type Side = 'order' | 'waybill' | 'payment';
const SIDES: readonly Side[] = ['order', 'waybill', 'payment'];

interface CompareRow {
  field: string;
  label: string;
  inventory: string | undefined;
  order?: string | undefined;
  waybill?: string | undefined;
  payment?: string | undefined;
}

const sum = (lines: Record<string, string>[], field: string): string | undefined =>
  lines.length ? String(lines.reduce((a, l) => a + (Number(l[field]) || 0), 0)) : undefined;

/** Equal as numbers when both are numbers, else as text. */
function same(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return Math.abs(x - y) < 1e-6;
  return a.trim() === b.trim();
}

const linesText = (lines: Record<string, string>[]): string | undefined =>
  lines.length ? lines.map((l) => `${l.gnum}. ${l.itemNo ?? ''} × ${l.qty ?? ''} @ ${l.price ?? ''}`).join('\n') : undefined;

/** The fields the three-document match compares, each document's value side by side. */
function compareRows(
  item: ReviewItem,
  t: (k: 'clr.orderNo' | 'clr.logisticsNo' | 'clr.total' | 'clr.grossWeight' | 'clr.lines') => string,
): CompareRow[] {
  const inv = item.inventory;
  const o = item.order?.head;
  const w = item.waybill?.head;
  const p = item.payment?.head;
  return [
    { field: 'orderNo', label: t('clr.orderNo'), inventory: inv.head.orderNo, order: o?.orderNo, payment: p?.orderNo },
    { field: 'ebpCode', label: 'ebpCode', inventory: inv.head.ebpCode, order: o?.ebpCode, payment: p?.ebpCode },
    {
      field: 'ebcCode',
      label: 'ebcCode',
      inventory: inv.head.ebcCode,
      order: o?.ebcCode,
      waybill: w?.ebcCode,
      payment: p?.ebcCode,
    },
    { field: 'logisticsCode', label: 'logisticsCode', inventory: inv.head.logisticsCode, waybill: w?.logisticsCode },
    { field: 'logisticsNo', label: t('clr.logisticsNo'), inventory: inv.head.logisticsNo, waybill: w?.logisticsNo },
    {
      field: 'total',
      label: t('clr.total'),
      inventory: sum(inv.lines, 'totalPrice'),
      order: o?.goodsValue,
      payment: p?.charge,
    },
    {
      field: 'currency',
      label: 'currency',
      inventory: inv.lines[0]?.currency,
      order: o?.currency,
      payment: p?.currency,
    },
    { field: 'grossWeight', label: t('clr.grossWeight'), inventory: inv.head.grossWeight, waybill: w?.grossWeight },
    {
      field: 'lines',
      label: t('clr.lines'),
      inventory: linesText(inv.lines),
      order: item.order ? linesText(item.order.lines) : undefined,
    },
  ];
}

function ReviewCard({ item, onReject }: { item: ReviewItem; onReject: (item: ReviewItem) => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const inv = item.inventory;
  const orderNo = inv.head.orderNo ?? inv.businessKey;
  const approve = useMutation({
    mutationFn: () =>
      api<{ id: string; status: string }>(`/customs/reviews/${encodeURIComponent(inv.id)}/approve`, { method: 'POST', body: {} }),
    onSuccess: async () => {
      void message.success(t('review.approved'));
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const rows = compareRows(item, t);
  const cell = (row: CompareRow, side: Side | 'inventory') => {
    const value = row[side];
    const doc = side === 'inventory' ? inv : item[side];
    if (!doc) return <Typography.Text type="secondary">{t('review.missing')}</Typography.Text>;
    if (value === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
    const differs = side !== 'inventory' && !same(row.inventory, value);
    return (
      <span
        className={differs ? 'cell-differs' : 'pre-line'}
        data-testid={differs ? `review-diff-${orderNo}-${side}-${row.field}` : undefined}
      >
        {value}
        {differs ? (
          <Tag color="red" className="diff-tag">
            {t('review.differs')}
          </Tag>
        ) : null}
      </span>
    );
  };

  const columns: TableColumnsType<CompareRow> = [
    { title: t('review.field'), dataIndex: 'label', key: 'label', width: 140 },
    { title: t('review.inventory'), key: 'inventory', render: (_: unknown, r) => cell(r, 'inventory') },
    ...SIDES.map((side) => ({
      title: (
        <Space>
          {t(`review.${side}`)}
          {item[side] ? <CebStatusTag code={item[side].status} /> : <Tag>{t('review.missing')}</Tag>}
        </Space>
      ),
      key: side,
      render: (_: unknown, r: CompareRow) => cell(r, side),
    })),
  ];

  const column = (side: Side, doc: ClearanceDocument | null) => (
    <Card size="small" key={side} title={t(`review.${side}`)} data-testid={`review-${side}-${orderNo}`} className="linked-card">
      {doc ? (
        <Space orientation="vertical" className="full-width">
          <HeadFields head={doc.head} columns={1} />
          <LinesTable lines={doc.lines} />
        </Space>
      ) : (
        <Typography.Text type="secondary">{t('review.missing')}</Typography.Text>
      )}
    </Card>
  );

  return (
    <Card
      data-testid={`review-${orderNo}`}
      title={
        <Space wrap>
          <Typography.Text strong>{orderNo}</Typography.Text>
          <CebStatusTag code={inv.status} />
          <Typography.Text type="secondary">{inv.invtNo ?? inv.preNo ?? ''}</Typography.Text>
          <span>{inv.head.ebcName}</span>
        </Space>
      }
      extra={
        <Space>
          {item.review.lane === 'inspect' ? (
            // Selected for inspection: released by the (joint) inspection task, not approved here.
            <Tag color="volcano" data-testid={`review-inspect-${orderNo}`}>
              {t('review.awaitingInspection')}
            </Tag>
          ) : item.review.lane === 'hold' ? (
            // Held (no inspection filing, prohibited goods): the risk engine decides again once the
            // cause is removed; customs may only reject it here.
            <Tag color="red" data-testid={`review-hold-${orderNo}`}>
              {t('review.held')}
            </Tag>
          ) : (
            <Button
              type="primary"
              icon={<CheckOutlined />}
              loading={approve.isPending}
              onClick={() => approve.mutate()}
              data-testid={`review-approve-${orderNo}`}
            >
              {t('review.approve')}
            </Button>
          )}
          <Button danger icon={<CloseOutlined />} onClick={() => onReject(item)} data-testid={`review-reject-${orderNo}`}>
            {t('review.reject')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" className="full-width">
        {item.review.reason ? (
          <Alert
            type="warning"
            showIcon
            title={`${t('review.reason')}：${item.review.reason}`}
            data-testid={`review-reason-${orderNo}`}
          />
        ) : null}
        <Table<CompareRow>
          rowKey="field"
          size="small"
          bordered
          pagination={false}
          columns={columns}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
        />
        <div className="side-by-side three">{SIDES.map((side) => column(side, item[side]))}</div>
      </Space>
    </Card>
  );
}

/** 人工审核: held inventories with their order, waybill and payment collection side by side. */
export default function ReviewQueuePage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState<ReviewItem | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const queue = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api<{ items: ReviewItem[] }>('/customs/reviews', { signal }),
    refetchInterval: 10_000,
  });
  const reject = useMutation({
    mutationFn: (input: { id: string; reason: string }) =>
      api<{ id: string; status: string }>(`/customs/reviews/${encodeURIComponent(input.id)}/reject`, {
        method: 'POST',
        body: { reason: input.reason },
      }),
    onSuccess: async () => {
      setRejecting(null);
      form.resetFields();
      void message.success(t('review.rejected'));
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
  });
  const items = queue.data?.items ?? [];

  return (
    <Page
      title={t('review.title')}
      testId="review-title"
      extra={
        <Space>
          <Tag color={items.length ? 'orange' : 'default'} data-testid="review-count">
            {t('review.count', { count: items.length })}
          </Tag>
          <Button icon={<ReloadOutlined />} onClick={() => void queue.refetch()} loading={queue.isFetching}>
            {t('common.refresh')}
          </Button>
        </Space>
      }
    >
      {queue.isError ? (
        <LoadError error={queue.error} onRetry={() => void queue.refetch()} />
      ) : queue.isPending ? (
        <Spin size="large" className="page-spin" />
      ) : items.length === 0 ? (
        <Card>
          <Empty description={t('review.empty')} data-testid="review-empty" />
        </Card>
      ) : (
        <Space orientation="vertical" size="large" className="full-width" data-testid="review-queue">
          {items.map((item) => (
            <ReviewCard key={item.inventory.id} item={item} onReject={setRejecting} />
          ))}
        </Space>
      )}
      <Modal
        open={rejecting !== null}
        title={t('review.rejectTitle')}
        onCancel={() => setRejecting(null)}
        onOk={() => form.submit()}
        okButtonProps={{ danger: true, 'data-testid': 'review-reject-confirm' }}
        confirmLoading={reject.isPending}
        destroyOnHidden
      >
        {reject.error ? <Alert type="error" showIcon title={errorMessage(reject.error, locale)} className="block-gap" /> : null}
        <Form<{ reason: string }>
          form={form}
          layout="vertical"
          onFinish={(v) => rejecting && reject.mutate({ id: rejecting.inventory.id, reason: v.reason.trim() })}
        >
          <Form.Item
            name="reason"
            label={t('review.rejectReason')}
            rules={[{ required: true, whitespace: true, message: t('review.reasonRequired') }]}
          >
            <Input.TextArea rows={4} maxLength={1000} data-testid="review-reject-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Page>
  );
}
