import { PlusOutlined, ReloadOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../api.ts';
import type { PageOf, Product, ProductInput } from '../clearance.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { FilingStatusTag } from '../components/StatusTag.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

const KEY = ['products'] as const;
const BULK_COLUMNS = ['itemNo', 'gname', 'hsCode', 'gmodel', 'unit', 'legalUnit1', 'referencePrice'] as const;

/** A pasted JSON array, or CSV lines in BULK_COLUMNS order (a header line naming itemNo is skipped). */
function parseBulk(text: string): ProductInput[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed)) throw new Error('JSON array expected');
    return parsed as ProductInput[];
  }
  return trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !/^itemNo\b|^商品货号/i.test(line))
    .map((line, i) => {
      const cells = line.split(/[,\t]/).map((c) => c.trim());
      if (cells.length < BULK_COLUMNS.length) throw new Error(`line ${i + 1}: ${BULK_COLUMNS.length} columns expected`);
      const item: Record<string, string> = {};
      BULK_COLUMNS.forEach((k, j) => {
        item[k] = cells[j] ?? '';
      });
      return item as unknown as ProductInput;
    });
}

/** 商品备案: the seller's filed products — list, file one, file many. */
export default function ProductsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [adding, setAdding] = useState(false);
  const [bulk, setBulk] = useState(false);
  const [bulkText, setBulkText] = useState('');
  const [bulkError, setBulkError] = useState<string | null>(null);
  const [form] = Form.useForm<ProductInput>();

  const list = useInfiniteQuery({
    queryKey: [...KEY, q],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<PageOf<Product>>('/products', { query: { q: q.trim() || undefined, cursor: pageParam, limit: 200 }, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const fileOne = useMutation({
    mutationFn: (body: ProductInput) => api<Product>('/products', { method: 'POST', body }),
    onSuccess: async () => {
      setAdding(false);
      form.resetFields();
      void message.success(t('products.filed', { count: 1 }));
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
  });

  const fileMany = useMutation({
    mutationFn: (items: ProductInput[]) => api<{ items: Product[] }>('/products/bulk', { method: 'POST', body: { items } }),
    onSuccess: async (res) => {
      setBulk(false);
      setBulkText('');
      void message.success(t('products.filed', { count: res.items.length }));
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
  });

  const submitBulk = () => {
    setBulkError(null);
    try {
      fileMany.mutate(parseBulk(bulkText));
    } catch (err) {
      setBulkError(t('products.bulkParseError', { message: err instanceof Error ? err.message : String(err) }));
    }
  };

  const columns: TableColumnsType<Product> = [
    {
      title: t('products.itemNo'),
      dataIndex: 'itemNo',
      key: 'itemNo',
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
    },
    { title: t('products.gname'), dataIndex: 'gname', key: 'gname' },
    { title: t('products.hsCode'), dataIndex: 'hsCode', key: 'hsCode' },
    { title: t('products.unit'), dataIndex: 'unit', key: 'unit' },
    { title: t('products.legalUnit1'), dataIndex: 'legalUnit1', key: 'legalUnit1' },
    {
      title: t('products.referencePrice'),
      key: 'price',
      align: 'right',
      render: (_: unknown, p) => `${p.referencePrice} (${p.currency})`,
    },
    {
      title: t('clr.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: string, p) => (
        <Space orientation="vertical" size={0}>
          <FilingStatusTag status={s} testId={`product-status-${p.itemNo}`} />
          {p.reason ? <Typography.Text type="danger">{p.reason}</Typography.Text> : null}
        </Space>
      ),
    },
    { title: t('products.gmodel'), dataIndex: 'gmodel', key: 'gmodel', ellipsis: true },
    {
      title: t('clr.updatedAt'),
      dataIndex: 'updatedAt',
      key: 'updatedAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
  ];

  const bulkProblems = fileMany.error instanceof ApiError ? fileMany.error.errors : [];

  return (
    <Page
      title={t('products.title')}
      testId="products-title"
      extra={
        <Space wrap>
          <Input.Search allowClear placeholder={t('products.searchPlaceholder')} onSearch={setQ} className="search-box" />
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isRefetching}>
            {t('common.refresh')}
          </Button>
          <Button icon={<UnorderedListOutlined />} onClick={() => setBulk(true)}>
            {t('products.bulk')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="product-add">
            {t('products.add')}
          </Button>
        </Space>
      }
    >
      <Card>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <Table<Product>
              rowKey="id"
              size="middle"
              loading={list.isPending}
              columns={columns}
              dataSource={rows}
              pagination={false}
              scroll={{ x: 'max-content' }}
              data-testid="products-table"
            />
            {list.hasNextPage ? (
              <div className="load-more">
                <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  {t('common.loadMore')}
                </Button>
              </div>
            ) : null}
          </>
        )}
      </Card>
      <Modal
        open={adding}
        title={t('products.add')}
        onCancel={() => setAdding(false)}
        onOk={() => form.submit()}
        confirmLoading={fileOne.isPending}
        width={760}
        destroyOnHidden
      >
        {fileOne.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(fileOne.error, locale)} /> : null}
        <Form<ProductInput>
          form={form}
          layout="vertical"
          initialValues={{ originCountry: '142', currency: '142' }}
          onFinish={(v) => {
            const body = Object.fromEntries(
              Object.entries(v).filter(([, x]) => typeof x === 'string' && x.trim() !== ''),
            ) as unknown as ProductInput;
            fileOne.mutate(body);
          }}
        >
          <div className="form-grid">
            <Form.Item name="itemNo" label={t('products.itemNo')} rules={[{ required: true, max: 20 }]}>
              <Input maxLength={20} />
            </Form.Item>
            <Form.Item name="gname" label={t('products.gname')} rules={[{ required: true }]}>
              <Input maxLength={250} />
            </Form.Item>
            <Form.Item name="gnameEn" label={t('products.gnameEn')}>
              <Input maxLength={250} />
            </Form.Item>
            <Form.Item name="hsCode" label={t('products.hsCode')} rules={[{ required: true, pattern: /^\d{10}$/ }]}>
              <Input maxLength={10} />
            </Form.Item>
            <Form.Item name="unit" label={t('products.unit')} rules={[{ required: true }]}>
              <Input maxLength={3} placeholder="011" />
            </Form.Item>
            <Form.Item name="legalUnit1" label={t('products.legalUnit1')} rules={[{ required: true }]}>
              <Input maxLength={3} placeholder="011" />
            </Form.Item>
            <Form.Item name="legalUnit2" label={t('products.legalUnit2')}>
              <Input maxLength={3} />
            </Form.Item>
            <Form.Item
              name="referencePrice"
              label={t('products.referencePrice')}
              rules={[{ required: true, pattern: /^\d+(\.\d+)?$/ }]}
            >
              <Input />
            </Form.Item>
            <Form.Item name="originCountry" label={t('products.originCountry')}>
              <Input maxLength={3} />
            </Form.Item>
            <Form.Item name="currency" label={t('products.currency')}>
              <Input maxLength={3} />
            </Form.Item>
          </div>
          <Form.Item name="gmodel" label={t('products.gmodel')} rules={[{ required: true }]}>
            <Input.TextArea rows={2} maxLength={250} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={bulk}
        title={t('products.bulk')}
        onCancel={() => setBulk(false)}
        onOk={submitBulk}
        confirmLoading={fileMany.isPending}
        width={860}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('products.bulkHint')}</Typography.Paragraph>
        {bulkError ? <Alert type="error" showIcon className="block-gap" title={bulkError} /> : null}
        {fileMany.error ? (
          <Alert
            type="error"
            showIcon
            className="block-gap"
            title={errorMessage(fileMany.error, locale)}
            description={bulkProblems.map((p) => `${p.field}: ${locale === 'en' ? p.message.en : p.message.zh}`).join('\n')}
          />
        ) : null}
        <Input.TextArea rows={10} value={bulkText} onChange={(e) => setBulkText(e.target.value)} className="mono" />
      </Modal>
    </Page>
  );
}
