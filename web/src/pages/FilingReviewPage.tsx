import { CheckOutlined, CloseOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Switch, Table, Tabs, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import type { EnterpriseFiling, PageOf, Product } from '../clearance.ts';
import { OrgRoleTags } from '../components/labels.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { FilingStatusTag } from '../components/StatusTag.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

type Which = 'enterprise' | 'product';
const PATH: Record<Which, string> = { enterprise: '/customs/enterprise-filings', product: '/customs/product-filings' };

function useDecision(which: Which) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; approve: boolean; reason?: string }) =>
      api<unknown>(`${PATH[which]}/${encodeURIComponent(input.id)}/${input.approve ? 'approve' : 'reject'}`, {
        method: 'POST',
        ...(input.approve ? {} : { body: { reason: input.reason ?? '' } }),
      }),
    onSuccess: async (_res, input) => {
      void message.success(input.approve ? t('filingReview.approved') : t('filingReview.rejected'));
      await queryClient.invalidateQueries({ queryKey: ['customs', 'filings', which] });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
}

function FilingTable<T extends { id: string; status: string; reason: string | null; submittedAt: string | null }>({
  which,
  columns,
}: {
  which: Which;
  columns: TableColumnsType<T>;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [onlySubmitted, setOnlySubmitted] = useState(true);
  const [rejecting, setRejecting] = useState<T | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const decide = useDecision(which);
  const list = useQuery({
    queryKey: ['customs', 'filings', which, onlySubmitted],
    queryFn: ({ signal }) =>
      api<PageOf<T>>(PATH[which], { query: { status: onlySubmitted ? 'submitted' : undefined, limit: 200 }, signal }),
  });
  const all: TableColumnsType<T> = [
    ...columns,
    {
      title: t('clr.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: string, row) => (
        <Space orientation="vertical" size={0}>
          <FilingStatusTag status={s} />
          {row.reason ? <Typography.Text type="danger">{row.reason}</Typography.Text> : null}
        </Space>
      ),
    },
    {
      title: t('filing.submittedAt'),
      dataIndex: 'submittedAt',
      key: 'submittedAt',
      render: (v: string | null) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_: unknown, row) =>
        row.status === 'submitted' ? (
          <Space>
            <Button
              type="primary"
              size="small"
              icon={<CheckOutlined />}
              loading={decide.isPending && decide.variables?.id === row.id}
              onClick={() => decide.mutate({ id: row.id, approve: true })}
            >
              {t('filingReview.approve')}
            </Button>
            <Button danger size="small" icon={<CloseOutlined />} onClick={() => setRejecting(row)}>
              {t('filingReview.reject')}
            </Button>
          </Space>
        ) : null,
    },
  ];
  return (
    <>
      <Space className="table-toolbar">
        <Switch checked={onlySubmitted} onChange={setOnlySubmitted} />
        <span>{t('filingReview.onlySubmitted')}</span>
        <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
          {t('common.refresh')}
        </Button>
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<T>
          rowKey="id"
          size="middle"
          loading={list.isPending}
          columns={all}
          dataSource={list.data?.items ?? []}
          pagination={{ defaultPageSize: 50, showTotal: (count) => t('common.total', { count }) }}
          scroll={{ x: 'max-content' }}
        />
      )}
      <Modal
        open={rejecting !== null}
        title={t('filingReview.rejectTitle')}
        onCancel={() => setRejecting(null)}
        onOk={() => form.submit()}
        okButtonProps={{ danger: true }}
        confirmLoading={decide.isPending}
        destroyOnHidden
      >
        {decide.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(decide.error, locale)} /> : null}
        <Form<{ reason: string }>
          form={form}
          layout="vertical"
          onFinish={(v) => {
            if (!rejecting) return;
            decide.mutate(
              { id: rejecting.id, approve: false, reason: v.reason.trim() },
              {
                onSuccess: () => {
                  setRejecting(null);
                  form.resetFields();
                },
              },
            );
          }}
        >
          <Form.Item name="reason" label={t('filingReview.reason')} rules={[{ required: true, whitespace: true, max: 500 }]}>
            <Input.TextArea rows={4} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** 备案审核: customs approves or returns (with a reason) enterprise and product filings. */
export default function FilingReviewPage() {
  const { t } = useTranslation();
  const enterpriseColumns: TableColumnsType<EnterpriseFiling> = [
    {
      title: t('filing.name'),
      dataIndex: 'name',
      key: 'name',
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
    },
    { title: t('filing.customsCode'), dataIndex: 'customsCode', key: 'customsCode' },
    { title: t('filing.licenceNo'), dataIndex: 'licenceNo', key: 'licenceNo' },
    { title: t('filing.roles'), dataIndex: 'roles', key: 'roles', render: (roles: string[]) => <OrgRoleTags roles={roles} /> },
    { title: t('filing.contactName'), key: 'contact', render: (_: unknown, f) => `${f.contactName} ${f.contactPhone}` },
    { title: t('filing.address'), dataIndex: 'address', key: 'address', ellipsis: true },
  ];
  const productColumns: TableColumnsType<Product> = [
    { title: t('clr.ebcName'), dataIndex: 'ebcCode', key: 'ebcCode' },
    {
      title: t('products.itemNo'),
      dataIndex: 'itemNo',
      key: 'itemNo',
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
    },
    { title: t('products.gname'), dataIndex: 'gname', key: 'gname' },
    { title: t('products.hsCode'), dataIndex: 'hsCode', key: 'hsCode' },
    { title: t('products.gmodel'), dataIndex: 'gmodel', key: 'gmodel', ellipsis: true },
    {
      title: t('products.unit'),
      key: 'units',
      render: (_: unknown, p) => [p.unit, p.legalUnit1, p.legalUnit2].filter(Boolean).join(' / '),
    },
    { title: t('products.referencePrice'), dataIndex: 'referencePrice', key: 'referencePrice', align: 'right' },
  ];
  return (
    <Page title={t('filingReview.title')} testId="filing-review-title">
      <Card>
        <Tabs
          items={[
            {
              key: 'enterprise',
              label: t('filingReview.enterprise'),
              children: <FilingTable<EnterpriseFiling> which="enterprise" columns={enterpriseColumns} />,
            },
            {
              key: 'product',
              label: t('filingReview.product'),
              children: <FilingTable<Product> which="product" columns={productColumns} />,
            },
          ]}
        />
      </Card>
    </Page>
  );
}
