import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Select, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';

interface TraceCode {
  code: string;
  kind: string;
  batchNo: string;
  itemNo: string;
  productName: string;
  createdAt: string;
}

/** 质量追溯: a seller makes trace codes for filed products and prints their QR labels. */
export default function TracePage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const codes = useQuery({
    queryKey: ['trace-codes'],
    queryFn: ({ signal }) => api<{ items: TraceCode[] }>('/trace/codes', { signal }),
  });
  const create = useMutation({
    mutationFn: (v: { kind: 'unit' | 'batch'; itemNo: string; batchNo: string; quantity: number; producer: string }) =>
      api<{ items: TraceCode[] }>('/trace/codes', { method: 'POST', body: v }),
    onSuccess: (r) => {
      void message.success(t('trace.created', { count: r.items.length }));
      void qc.invalidateQueries({ queryKey: ['trace-codes'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });

  return (
    <Page title={t('trace.title')} testId="trace-title">
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form layout="inline" initialValues={{ kind: 'unit', quantity: 1 }} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="kind" label={t('trace.kind')}>
            <Select
              style={{ width: 110 }}
              options={[
                { value: 'unit', label: t('trace.unit') },
                { value: 'batch', label: t('trace.batch') },
              ]}
            />
          </Form.Item>
          <Form.Item name="itemNo" label={t('trace.itemNo')} rules={[{ required: true }]}>
            <Input style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="batchNo" label={t('trace.batchNo')} rules={[{ required: true }]}>
            <Input style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="quantity" label={t('trace.quantity')}>
            <InputNumber min={1} max={500} />
          </Form.Item>
          <Form.Item name="producer" label={t('trace.producer')} rules={[{ required: true }]}>
            <Input style={{ width: 220 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('trace.create')}
          </Button>
        </Form>
      </Card>
      {codes.error ? (
        <LoadError error={codes.error} />
      ) : (
        <Table<TraceCode>
          size="small"
          rowKey="code"
          loading={codes.isLoading}
          dataSource={codes.data?.items ?? []}
          columns={[
            {
              title: t('trace.code'),
              dataIndex: 'code',
              render: (c: string) => (
                <a href={`/t/${c}`} target="_blank" rel="noreferrer">
                  {c}
                </a>
              ),
            },
            { title: t('trace.product'), dataIndex: 'productName' },
            { title: t('trace.batchNo'), dataIndex: 'batchNo' },
            { title: t('trace.kind'), dataIndex: 'kind' },
            {
              title: t('trace.label'),
              dataIndex: 'code',
              key: 'qr',
              render: (c: string) => (
                <a href={`/api/v1/trace/codes/${c}/qr.svg`} target="_blank" rel="noreferrer">
                  QR
                </a>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
