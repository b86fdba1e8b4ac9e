import { CheckOutlined, CloseOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

type FilingStatus = 'submitted' | 'approved' | 'rejected';

interface InspFiling {
  id: string;
  kind: 'enterprise' | 'product';
  enterpriseCode: string;
  itemNo: string | null;
  goodsName: string | null;
  quarantineCategory: string | null;
  producer: string;
  certificates: { type: string; number: string; validUntil: string | null }[];
  status: FilingStatus;
  reason: string | null;
  submittedAt: string | null;
}

interface FormValues {
  itemNo: string;
  goodsName: string;
  quarantineCategory: string;
  producer: string;
  certType: string;
  certNo: string;
  certValidUntil?: string;
}

// Keep in step with QUARANTINE_CATEGORIES in src/modules/filing/rules/product.ts.
const CATEGORIES = [
  'fresh_fruit',
  'vegetables',
  'grain',
  'meat',
  'aquatic',
  'dairy',
  'animal_products',
  'plants',
  'processed_food',
  'cosmetics',
  'other',
];
const STATUS_COLOR: Record<FilingStatus, string> = { submitted: 'blue', approved: 'green', rejected: 'red' };

/** Sellers file quarantine products with the inspection authority; the inspection desk approves. */
export default function InspectionFilingsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [rejecting, setRejecting] = useState<InspFiling | null>(null);
  const [reason, setReason] = useState('');
  const isEnterprise = session.user.organisation?.kind === 'enterprise' && hasPermission(session, 'inspection.filing');
  // the inspection authority's desk: its officer in the organisation holding the duty (ADR 0025)
  const isDesk =
    session.user.roles.includes('inspection_officer') && (session.user.organisation?.roles.includes('inspection') ?? false);
  const list = useQuery({
    queryKey: ['inspection', 'filings'],
    queryFn: () => api<{ items: InspFiling[] }>('/inspection/filings'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['inspection', 'filings'] });

  const submit = useMutation({
    mutationFn: (v: FormValues) =>
      api<InspFiling>('/inspection/filings', {
        method: 'POST',
        body: {
          kind: 'product',
          itemNo: v.itemNo,
          goodsName: v.goodsName,
          quarantineCategory: v.quarantineCategory,
          producer: v.producer,
          certificates: [{ type: v.certType, number: v.certNo, validUntil: v.certValidUntil || null }],
        },
      }),
    onSuccess: async () => {
      void message.success(t('inspection.submitted'));
      form.resetFields();
      await refresh();
    },
  });
  const decide = useMutation({
    mutationFn: (input: { id: string; approve: boolean; reason?: string }) =>
      api<InspFiling>(`/inspection/filings/${encodeURIComponent(input.id)}/decision`, {
        method: 'POST',
        body: { approve: input.approve, ...(input.reason ? { reason: input.reason } : {}) },
      }),
    onSuccess: async () => {
      setRejecting(null);
      setReason('');
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const columns: TableColumnsType<InspFiling> = [
    {
      title: t('inspection.kind'),
      dataIndex: 'kind',
      key: 'kind',
      width: 90,
      render: (k: InspFiling['kind']) => t(`inspection.kinds.${k}`),
    },
    { title: t('risk.seller'), dataIndex: 'enterpriseCode', key: 'enterpriseCode', width: 120 },
    { title: t('inspection.itemNo'), dataIndex: 'itemNo', key: 'itemNo', width: 150 },
    { title: t('inspection.goodsName'), dataIndex: 'goodsName', key: 'goodsName' },
    { title: t('inspection.quarantineCategory'), dataIndex: 'quarantineCategory', key: 'quarantineCategory', width: 130 },
    { title: t('inspection.producer'), dataIndex: 'producer', key: 'producer' },
    {
      title: t('inspection.status'),
      dataIndex: 'status',
      key: 'status',
      width: 110,
      render: (s: FilingStatus, r) => (
        <Tag
          color={STATUS_COLOR[s]}
          data-testid={`insp-filing-status-${r.itemNo ?? r.enterpriseCode}`}
          title={r.reason ?? undefined}
        >
          {t(`inspection.filingStatus.${s}`)}
        </Tag>
      ),
    },
    {
      title: t('risk.decidedAt'),
      dataIndex: 'submittedAt',
      key: 'submittedAt',
      width: 160,
      render: (v: string | null) => formatDateTime(v, locale),
    },
    ...(isDesk
      ? [
          {
            title: '',
            key: 'actions',
            width: 190,
            render: (_: unknown, r: InspFiling) =>
              r.status === 'submitted' ? (
                <Space>
                  <Button
                    size="small"
                    type="primary"
                    icon={<CheckOutlined />}
                    onClick={() => decide.mutate({ id: r.id, approve: true })}
                  >
                    {t('inspection.approve')}
                  </Button>
                  <Button size="small" danger icon={<CloseOutlined />} onClick={() => setRejecting(r)}>
                    {t('inspection.reject')}
                  </Button>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Page title={t('inspection.filingsTitle')} testId="inspection-filings-title">
      {isEnterprise ? (
        <Card size="small" title={t('inspection.fileProduct')} className="block-gap">
          {submit.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(submit.error, locale)} /> : null}
          <Form form={form} layout="inline" onFinish={(v) => submit.mutate(v)}>
            <Form.Item name="itemNo" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.itemNo')} />
            </Form.Item>
            <Form.Item name="goodsName">
              <Input placeholder={t('inspection.goodsName')} />
            </Form.Item>
            <Form.Item name="quarantineCategory" rules={[{ required: true }]}>
              <Select
                placeholder={t('inspection.quarantineCategory')}
                style={{ width: 170 }}
                options={CATEGORIES.map((c) => ({ value: c, label: c }))}
              />
            </Form.Item>
            <Form.Item name="producer" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.producer')} />
            </Form.Item>
            <Form.Item name="certType" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.certType')} />
            </Form.Item>
            <Form.Item name="certNo" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.certNo')} />
            </Form.Item>
            <Form.Item name="certValidUntil">
              <Input placeholder={`${t('inspection.certValidUntil')} yyyy-mm-dd`} />
            </Form.Item>
            <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={submit.isPending}>
              {t('inspection.fileProduct')}
            </Button>
          </Form>
        </Card>
      ) : null}
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<InspFiling>
          rowKey="id"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          size="small"
        />
      )}
      <Modal
        open={rejecting !== null}
        title={t('inspection.reject')}
        onCancel={() => setRejecting(null)}
        onOk={() => rejecting && decide.mutate({ id: rejecting.id, approve: false, reason })}
        confirmLoading={decide.isPending}
      >
        <Input.TextArea
          rows={3}
          placeholder={t('inspection.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </Page>
  );
}
