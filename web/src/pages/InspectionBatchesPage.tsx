import { CheckOutlined, CloseOutlined, PlusOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

type BatchStatus = 'declared' | 'accepted' | 'rejected' | 'closed';

interface Batch {
  id: string;
  batchNo: string;
  enterpriseCode: string;
  itemNo: string;
  unit: string | null;
  status: BatchStatus;
  reason: string | null;
  declared: string;
  reserved: string;
  released: string;
  writtenOff: string;
  returned: string;
  balance: string;
  inTransit: string;
  createdAt: string;
}

const STATUS_COLOR: Record<BatchStatus, string> = { declared: 'blue', accepted: 'green', rejected: 'red', closed: 'default' };
const KEY = ['inspection', 'batches'] as const;

/**
 * The batch write-off ledger (分批核销): declared, reserved at decision, released at 399, written
 * off at departure, returned on rejection or cancellation, balance. A seller declares a batch of a
 * product it filed with inspection; the inspection authority accepts (parcels draw on it from
 * then on), rejects or closes it.
 */
export default function InspectionBatchesPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ batchNo: string; itemNo: string; qty: string }>();
  const [stepping, setStepping] = useState<{ batch: Batch; step: 'reject' | 'close' } | null>(null);
  const [reason, setReason] = useState('');
  const canDeclare = session.user.organisation?.kind === 'enterprise' && hasPermission(session, 'inspection.filing');
  // the inspection authority's steps (ADR 0025): its officer in the organisation holding the duty
  const isAuthority =
    hasPermission(session, 'inspection.work') &&
    session.user.roles.includes('inspection_officer') &&
    (session.user.organisation?.roles.includes('inspection') ?? false);
  const list = useQuery({ queryKey: KEY, queryFn: () => api<{ items: Batch[] }>('/inspection/batches') });
  const declare = useMutation({
    mutationFn: (v: { batchNo: string; itemNo: string; qty: string }) =>
      api<Batch>('/inspection/batches', { method: 'POST', body: v }),
    onSuccess: async (b) => {
      void message.success(b.batchNo);
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
  });
  const step = useMutation({
    mutationFn: (v: { id: string; step: 'accept' | 'reject' | 'close'; reason?: string }) =>
      api<Batch>(`/inspection/batches/${encodeURIComponent(v.id)}/${v.step}`, {
        method: 'POST',
        ...(v.step === 'accept' ? {} : { body: v.reason ? { reason: v.reason } : {} }),
      }),
    onSuccess: async (b) => {
      void message.success(`${b.batchNo} ${t(`inspection.batchStatus.${b.status}`)}`);
      setStepping(null);
      setReason('');
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const qty = (key: keyof Batch, title: string) => ({
    title,
    dataIndex: key,
    key,
    align: 'right' as const,
    render: (v: string, r: Batch) => <span data-testid={`batch-${key}-${r.batchNo}`}>{v}</span>,
  });
  const columns: TableColumnsType<Batch> = [
    { title: t('inspection.batchNo'), dataIndex: 'batchNo', key: 'batchNo' },
    { title: t('risk.seller'), dataIndex: 'enterpriseCode', key: 'enterpriseCode' },
    { title: t('inspection.itemNo'), dataIndex: 'itemNo', key: 'itemNo' },
    {
      title: t('inspection.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: BatchStatus, r) => (
        <Tag color={STATUS_COLOR[s]} title={r.reason ?? undefined} data-testid={`batch-status-${r.batchNo}`}>
          {t(`inspection.batchStatus.${s}`)}
        </Tag>
      ),
    },
    qty('declared', t('inspection.declared')),
    qty('reserved', t('inspection.reservedQty')),
    qty('released', t('inspection.releasedQty')),
    qty('writtenOff', t('inspection.writtenOff')),
    qty('returned', t('inspection.returnedQty')),
    qty('inTransit', t('inspection.inTransit')),
    {
      title: t('inspection.balance'),
      dataIndex: 'balance',
      key: 'balance',
      align: 'right',
      render: (v: string, r) => <strong data-testid={`batch-balance-${r.batchNo}`}>{v}</strong>,
    },
    { title: t('risk.decidedAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatDateTime(v, locale) },
    ...(isAuthority
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, r: Batch) => (
              <Space>
                {r.status === 'declared' ? (
                  <>
                    <Button
                      size="small"
                      type="primary"
                      icon={<CheckOutlined />}
                      loading={step.isPending && step.variables?.id === r.id}
                      onClick={() => step.mutate({ id: r.id, step: 'accept' })}
                      data-testid={`batch-accept-${r.batchNo}`}
                    >
                      {t('inspection.acceptBatch')}
                    </Button>
                    <Button
                      size="small"
                      danger
                      icon={<CloseOutlined />}
                      onClick={() => setStepping({ batch: r, step: 'reject' })}
                      data-testid={`batch-reject-${r.batchNo}`}
                    >
                      {t('inspection.rejectBatch')}
                    </Button>
                  </>
                ) : null}
                {r.status === 'accepted' ? (
                  <Button
                    size="small"
                    icon={<StopOutlined />}
                    onClick={() => setStepping({ batch: r, step: 'close' })}
                    data-testid={`batch-close-${r.batchNo}`}
                  >
                    {t('inspection.closeBatch')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <Page title={t('inspection.batchesTitle')} testId="inspection-batches-title">
      {canDeclare ? (
        <Form form={form} layout="inline" className="block-gap" onFinish={(v) => declare.mutate(v)}>
          <Form.Item name="batchNo" rules={[{ required: true }]}>
            <Input placeholder={t('inspection.batchNo')} data-testid="batch-no" />
          </Form.Item>
          <Form.Item name="itemNo" rules={[{ required: true }]}>
            <Input placeholder={t('inspection.itemNo')} data-testid="batch-item" />
          </Form.Item>
          <Form.Item name="qty" rules={[{ required: true }]}>
            <Input placeholder={t('inspection.qty')} data-testid="batch-qty" />
          </Form.Item>
          <Space>
            <Button
              type="primary"
              htmlType="submit"
              icon={<PlusOutlined />}
              loading={declare.isPending}
              data-testid="batch-declare"
            >
              {t('inspection.declare')}
            </Button>
          </Space>
        </Form>
      ) : null}
      {declare.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(declare.error, locale)} /> : null}
      <Typography.Paragraph type="secondary">{t('inspection.ledgerHint')}</Typography.Paragraph>
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Batch>
          rowKey="id"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          size="small"
          scroll={{ x: 'max-content' }}
        />
      )}
      <Modal
        open={stepping !== null}
        title={
          stepping
            ? `${t(stepping.step === 'reject' ? 'inspection.rejectBatch' : 'inspection.closeBatch')} ${stepping.batch.batchNo}`
            : ''
        }
        onCancel={() => setStepping(null)}
        onOk={() => stepping && step.mutate({ id: stepping.batch.id, step: stepping.step, reason })}
        okButtonProps={{ 'data-testid': 'batch-step-ok' }}
        confirmLoading={step.isPending}
      >
        <Input.TextArea
          rows={3}
          placeholder={t('inspection.stepReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="batch-step-reason"
        />
      </Modal>
    </Page>
  );
}
