import { ScanOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, Radio, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { InspectionTag, TraceChain, type TraceDetail } from './TraceChain.tsx';

/**
 * 追溯查验: a customs or inspection officer scans a trace code (products filed within the
 * officer's jurisdiction), sees its chain and records an inspection result; a failure needs a note
 * and shows as failed on the buyer's verification page.
 */
export default function TraceInspectionPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const [code, setCode] = useState<string | null>(null);
  const [form] = Form.useForm<{ result: 'pass' | 'fail'; note?: string }>();
  const result = Form.useWatch('result', form);
  const detail = useQuery({
    queryKey: ['trace-code', code],
    enabled: !!code,
    retry: false,
    queryFn: ({ signal }) => api<TraceDetail>(`/trace/codes/${encodeURIComponent(code!)}`, { signal }),
  });
  const record = useMutation({
    mutationFn: (v: { result: 'pass' | 'fail'; note?: string }) =>
      api(`/trace/codes/${encodeURIComponent(code!)}/events`, {
        method: 'POST',
        body: { kind: 'inspection', result: v.result, ...(v.note?.trim() ? { note: v.note.trim() } : {}) },
      }),
    onSuccess: () => {
      void message.success(t('trace.resultRecorded'));
      form.resetFields();
      void detail.refetch();
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });

  return (
    <Page title={t('trace.inspectionTitle')} testId="trace-inspection-title">
      <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('trace.inspectionHint')} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Input.Search
          autoFocus
          prefix={<ScanOutlined />}
          placeholder={t('trace.code')}
          enterButton={t('trace.open')}
          style={{ maxWidth: 420 }}
          onSearch={(v) => setCode(v.trim().toUpperCase() || null)}
          data-testid="trace-inspection-code"
        />
      </Card>
      {detail.error ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : detail.data ? (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Descriptions size="small" bordered column={2} data-testid="trace-inspection-detail">
            <Descriptions.Item label={t('trace.code')}>{detail.data.code}</Descriptions.Item>
            <Descriptions.Item label={t('trace.seller')}>{detail.data.seller.name}</Descriptions.Item>
            <Descriptions.Item label={t('trace.product')}>
              {detail.data.productName} ({detail.data.itemNo})
            </Descriptions.Item>
            <Descriptions.Item label={t('trace.batchNo')}>{detail.data.batchNo}</Descriptions.Item>
            <Descriptions.Item label={t('trace.inspectionState')}>
              <InspectionTag state={detail.data.checks.inspection} />
            </Descriptions.Item>
          </Descriptions>
          <Card size="small" title={t('trace.result')}>
            <Form form={form} layout="inline" onFinish={(v) => record.mutate(v)} data-testid="trace-inspection-form">
              <Form.Item name="result" rules={[{ required: true }]}>
                <Radio.Group
                  data-testid="trace-inspection-result"
                  options={[
                    { value: 'pass', label: t('trace.pass') },
                    { value: 'fail', label: t('trace.fail') },
                  ]}
                />
              </Form.Item>
              <Form.Item name="note" label={t('trace.note')} rules={[{ required: result === 'fail', max: 1000 }]}>
                <Input style={{ width: 360 }} data-testid="trace-inspection-note" />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={record.isPending} data-testid="trace-inspection-submit">
                {t('trace.record')}
              </Button>
            </Form>
          </Card>
          <Card size="small" title={t('trace.chain')}>
            <TraceChain chain={detail.data.chain} />
          </Card>
        </Space>
      ) : null}
    </Page>
  );
}
