import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Space, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

interface Batch {
  id: string;
  batchNo: string;
  enterpriseCode: string;
  itemNo: string;
  unit: string | null;
  declared: string;
  released: string;
  writtenOff: string;
  balance: string;
  inTransit: string;
  createdAt: string;
}

/** The batch write-off ledger; a seller declares a batch of a product it filed with inspection. */
export default function InspectionBatchesPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ batchNo: string; itemNo: string; qty: string }>();
  const canDeclare = session.user.organisation?.kind === 'enterprise' && hasPermission(session, 'inspection.filing');
  const list = useQuery({ queryKey: ['inspection', 'batches'], queryFn: () => api<{ items: Batch[] }>('/inspection/batches') });
  const declare = useMutation({
    mutationFn: (v: { batchNo: string; itemNo: string; qty: string }) =>
      api<Batch>('/inspection/batches', { method: 'POST', body: v }),
    onSuccess: async (b) => {
      void message.success(b.batchNo);
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['inspection', 'batches'] });
    },
  });

  const columns: TableColumnsType<Batch> = [
    { title: t('inspection.batchNo'), dataIndex: 'batchNo', key: 'batchNo' },
    { title: t('risk.seller'), dataIndex: 'enterpriseCode', key: 'enterpriseCode' },
    { title: t('inspection.itemNo'), dataIndex: 'itemNo', key: 'itemNo' },
    { title: t('inspection.declared'), dataIndex: 'declared', key: 'declared', align: 'right' },
    { title: t('inspection.releasedQty'), dataIndex: 'released', key: 'released', align: 'right' },
    { title: t('inspection.writtenOff'), dataIndex: 'writtenOff', key: 'writtenOff', align: 'right' },
    { title: t('inspection.inTransit'), dataIndex: 'inTransit', key: 'inTransit', align: 'right' },
    {
      title: t('inspection.balance'),
      dataIndex: 'balance',
      key: 'balance',
      align: 'right',
      render: (v: string, r) => <strong data-testid={`batch-balance-${r.batchNo}`}>{v}</strong>,
    },
    { title: t('risk.decidedAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatDateTime(v, locale) },
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
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Batch> rowKey="id" loading={list.isLoading} columns={columns} dataSource={list.data?.items ?? []} size="small" />
      )}
    </Page>
  );
}
