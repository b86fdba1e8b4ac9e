import { DownloadOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Form, Input, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError, apiUrl, errorMessage } from '../api.ts';
import {
  ORDER_LAYOUTS,
  type ImportResult,
  type InventoryDraft,
  type OrderLayout,
  type PageOf,
  type RowProblem,
  type SalesOrder,
} from '../clearance.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { OrderStatusTag } from '../components/StatusTag.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ORDERS_KEY = ['sales-orders'] as const;

interface ImportForm {
  layout: OrderLayout | 'auto';
  platformCode: string;
  partial: boolean;
}

interface BuildForm {
  agentCode?: string;
  logisticsCode?: string;
}

function problemsOf(err: unknown): RowProblem[] {
  if (!(err instanceof ApiError)) return [];
  return err.errors
    .filter((e) => typeof e.row === 'number')
    .map((e) => ({ row: e.row ?? 0, column: e.column ?? '', rule: e.rule, message: e.message, value: e.value }));
}

/** 订单导入: upload an order file (per-row errors), then build inventory drafts from the orders. */
export default function OrderImportPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [importForm] = Form.useForm<ImportForm>();
  const [buildForm] = Form.useForm<BuildForm>();

  const orders = useQuery({
    queryKey: ORDERS_KEY,
    queryFn: ({ signal }) => api<PageOf<SalesOrder>>('/sales-orders', { query: { limit: 200 }, signal }),
  });

  const upload = useMutation({
    mutationFn: async (input: ImportForm & { file: File }) =>
      api<ImportResult>('/orders/import', {
        method: 'POST',
        query: {
          platformCode: input.platformCode.trim(),
          layout: input.layout === 'auto' ? undefined : input.layout,
          partial: input.partial ? '1' : undefined,
        },
        rawBody: await input.file.arrayBuffer(),
        contentType: /\.xlsx$/i.test(input.file.name) ? XLSX : 'text/csv',
      }),
    onSuccess: async (res) => {
      setSelected(res.orders.map((o) => o.id));
      await queryClient.invalidateQueries({ queryKey: ORDERS_KEY });
    },
  });

  const build = useMutation({
    mutationFn: (input: BuildForm) =>
      api<{ built: number; complete: number; drafts: InventoryDraft[] }>('/orders/build-inventories', {
        method: 'POST',
        body: {
          ...(selected.length ? { orderIds: selected } : {}),
          ...(input.agentCode?.trim() ? { agentCode: input.agentCode.trim() } : {}),
          ...(input.logisticsCode?.trim() ? { logisticsCode: input.logisticsCode.trim() } : {}),
        },
      }),
    onSuccess: async () => {
      setSelected([]);
      await queryClient.invalidateQueries({ queryKey: ORDERS_KEY });
      await queryClient.invalidateQueries({ queryKey: ['inventory-drafts'] });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const problems: RowProblem[] = upload.data?.errors ?? problemsOf(upload.error);

  const problemColumns: TableColumnsType<RowProblem> = [
    { title: t('orderImport.row'), dataIndex: 'row', key: 'row', width: 80 },
    { title: t('orderImport.column'), dataIndex: 'column', key: 'column' },
    {
      title: t('orderImport.rule'),
      dataIndex: 'rule',
      key: 'rule',
      render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
    },
    {
      title: t('orderImport.message'),
      key: 'message',
      render: (_: unknown, p) => (locale === 'en' ? p.message.en : p.message.zh),
    },
    { title: t('orderImport.value'), dataIndex: 'value', key: 'value', render: (v: unknown) => (v == null ? '—' : String(v)) },
  ];

  const orderColumns: TableColumnsType<SalesOrder> = [
    {
      title: t('clr.orderNo'),
      dataIndex: 'orderNo',
      key: 'orderNo',
      render: (v: string) => <span data-testid={`sales-order-${v}`}>{v}</span>,
    },
    { title: t('clr.status'), dataIndex: 'status', key: 'status', render: (s: string) => <OrderStatusTag status={s} /> },
    { title: t('orderImport.buyer'), dataIndex: 'buyerName', key: 'buyerName' },
    { title: t('orderImport.country'), dataIndex: 'buyerCountry', key: 'buyerCountry' },
    {
      title: t('clr.lines'),
      key: 'lines',
      render: (_: unknown, o) => o.lines.map((l) => `${l.itemNo} × ${l.qty}`).join('；'),
    },
    {
      title: t('orderImport.goodsValue'),
      key: 'goodsValue',
      align: 'right',
      render: (_: unknown, o) => `${o.goodsValue} ${o.currency}`,
    },
    { title: t('clr.logisticsNo'), dataIndex: 'trackingNo', key: 'trackingNo', render: (v: string | null) => v ?? '—' },
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
  ];

  const submitImport = (values: ImportForm) => {
    if (!file) return;
    upload.reset();
    upload.mutate({ ...values, file });
  };

  return (
    <Page title={t('orderImport.title')} testId="order-import-title">
      <Space orientation="vertical" size="large" className="full-width">
        <Card
          title={`1. ${t('orderImport.step1')}`}
          extra={
            <Space>
              <Button icon={<DownloadOutlined />} href={apiUrl('/orders/import/template.xlsx')} data-testid="import-template">
                {t('orderImport.template')}
              </Button>
              <Button icon={<DownloadOutlined />} href={apiUrl('/orders/import/template.csv')}>
                {t('orderImport.templateCsv')}
              </Button>
            </Space>
          }
        >
          <Form<ImportForm>
            form={importForm}
            layout="inline"
            initialValues={{ layout: 'auto', platformCode: '', partial: false }}
            onFinish={submitImport}
            className="import-form"
          >
            <Form.Item name="layout" label={t('orderImport.layout')}>
              <Select
                className="filter-select"
                data-testid="import-layout"
                options={[
                  { value: 'auto', label: t('orderImport.layoutAuto') },
                  ...ORDER_LAYOUTS.map((l) => ({ value: l, label: t(`orderImport.layouts.${l}`) })),
                ]}
              />
            </Form.Item>
            <Form.Item
              name="platformCode"
              label={t('orderImport.platformCode')}
              rules={[{ required: true, pattern: /^[0-9A-Z]{10}$/, message: t('filing.required') }]}
            >
              <Input placeholder="3601960001" maxLength={10} data-testid="import-platform" />
            </Form.Item>
            <Form.Item name="partial" valuePropName="checked">
              <Checkbox data-testid="import-partial">{t('orderImport.partial')}</Checkbox>
            </Form.Item>
            <Form.Item label={t('orderImport.chooseFile')}>
              <input
                type="file"
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                data-testid="import-file"
              />
            </Form.Item>
            <Form.Item>
              <Button
                type="primary"
                htmlType="submit"
                icon={<UploadOutlined />}
                disabled={!file}
                loading={upload.isPending}
                data-testid="import-submit"
              >
                {t('orderImport.upload')}
              </Button>
            </Form.Item>
          </Form>
          {upload.data ? (
            <Alert
              className="block-gap"
              type={upload.data.rejected ? 'warning' : 'success'}
              showIcon
              title={t('orderImport.imported', { imported: upload.data.imported, rejected: upload.data.rejected })}
              data-testid="import-result"
            />
          ) : null}
          {upload.error ? (
            <Alert
              className="block-gap"
              type="error"
              showIcon
              title={errorMessage(upload.error, locale)}
              data-testid="import-error"
            />
          ) : null}
          {problems.length ? (
            <>
              <Typography.Title level={5} className="block-gap">
                {t('orderImport.errorsTitle', { count: problems.length })}
              </Typography.Title>
              <Table<RowProblem>
                rowKey={(p) => `${p.row}|${p.column}|${p.rule}|${String(p.value)}`}
                size="small"
                columns={problemColumns}
                dataSource={problems}
                pagination={{ defaultPageSize: 50 }}
                data-testid="import-errors"
              />
            </>
          ) : null}
        </Card>

        <Card
          title={`2. ${t('orderImport.step2')}`}
          extra={
            <Button icon={<ReloadOutlined />} onClick={() => void orders.refetch()} loading={orders.isFetching}>
              {t('common.refresh')}
            </Button>
          }
        >
          <Form<BuildForm> form={buildForm} layout="inline" onFinish={(v) => build.mutate(v)} className="import-form">
            <Form.Item name="agentCode" label={t('orderImport.agentCode')} rules={[{ pattern: /^[0-9A-Z]{10}$/ }]}>
              <Input placeholder="3601980099" maxLength={10} data-testid="build-agent" />
            </Form.Item>
            <Form.Item name="logisticsCode" label={t('orderImport.logisticsCode')} rules={[{ pattern: /^[0-9A-Z]{10}$/ }]}>
              <Input placeholder="3601980012" maxLength={10} data-testid="build-logistics" />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={build.isPending} data-testid="build-submit">
                {t('orderImport.build')}
              </Button>
            </Form.Item>
          </Form>
          <Typography.Paragraph type="secondary" className="block-gap">
            {t('orderImport.selectOrders')}
          </Typography.Paragraph>
          {build.data ? (
            <Alert
              className="block-gap"
              type="success"
              showIcon
              title={t('orderImport.built', { built: build.data.built, complete: build.data.complete })}
              action={
                <Link to="/drafts" data-testid="build-to-drafts">
                  {t('orderImport.toDrafts')}
                </Link>
              }
              data-testid="build-result"
            />
          ) : null}
          {orders.isError ? (
            <LoadError error={orders.error} onRetry={() => void orders.refetch()} />
          ) : (
            <Table<SalesOrder>
              rowKey="id"
              size="middle"
              loading={orders.isPending}
              columns={orderColumns}
              dataSource={orders.data?.items ?? []}
              rowSelection={{
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys.map(String)),
                getCheckboxProps: (o) => ({ disabled: o.status === 'declared' }),
              }}
              pagination={{ defaultPageSize: 20, showTotal: (count) => t('common.total', { count }) }}
              scroll={{ x: 'max-content' }}
              data-testid="sales-orders-table"
            />
          )}
        </Card>
      </Space>
    </Page>
  );
}
