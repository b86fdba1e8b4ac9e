import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Popconfirm, Select, Space, Table, Tabs, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

interface Warehouse {
  id: string;
  code: string;
  name: string;
  country: string;
  city: string;
}
interface Sale {
  id: string;
  warehouseId: string;
  orderNo: string;
  status: string;
  lines: { sku: string; qty: number; returned: number; declarationNo: string; releasedAt: string }[];
  createdAt: string;
}
type Line = { sku: string; qty: number };
interface Consignment {
  id: string;
  warehouseCode: string;
  declarationNo: string;
  lines: { sku: string; qty: number; allocated: number; toChina: number }[];
}

/** "SKU qty" per line (a pasted packing list); answers null when a line does not read. */
function parseLines(text: string): Line[] | null {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const out: Line[] = [];
  for (const l of lines) {
    const m = /^(\S+)[\s,，]+(\d+)$/.exec(l);
    if (!m) return null;
    out.push({ sku: m[1]!, qty: Number(m[2]) });
  }
  return out.length ? out : null;
}

function useWarehouses() {
  return useQuery({ queryKey: ['overseas', 'warehouses'], queryFn: () => api<Warehouse[]>('/overseas/warehouses') });
}

function ConsignmentTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const warehouses = useWarehouses();
  const [form] = Form.useForm();
  const receive = useMutation({
    mutationFn: (body: unknown) => api<unknown>('/overseas/consignments', { method: 'POST', body }),
    onSuccess: async () => {
      void message.success(t('provider.received'));
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['overseas'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Form
      form={form}
      layout="vertical"
      style={{ maxWidth: 640 }}
      data-testid="consignment-form"
      onFinish={(v: {
        warehouseId: string;
        sellerCode: string;
        declarationNo: string;
        tradeMode: string;
        releasedAt?: string;
        lines: string;
      }) => {
        const lines = parseLines(v.lines);
        if (!lines) return void message.error(t('provider.linesHint'));
        receive.mutate({
          warehouseId: v.warehouseId,
          sellerCode: v.sellerCode.trim(),
          declarationNo: v.declarationNo.trim(),
          tradeMode: v.tradeMode,
          // 9810/9610: the platform takes the release time from customs; a typed one is kept beside it.
          ...(v.releasedAt ? { releasedAt: new Date(`${v.releasedAt}T00:00:00+08:00`).toISOString() } : {}),
          lines,
        });
      }}
    >
      <Form.Item name="warehouseId" label={t('provider.warehouse')} rules={[{ required: true }]}>
        <Select options={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))} />
      </Form.Item>
      <Form.Item name="sellerCode" label={t('provider.sellerCode')} rules={[{ required: true }]}>
        <Input data-testid="consignment-seller" />
      </Form.Item>
      <Form.Item name="declarationNo" label={t('provider.declarationNo')} rules={[{ required: true }]}>
        <Input data-testid="consignment-declaration" />
      </Form.Item>
      <Form.Item name="tradeMode" label={t('provider.tradeMode')} initialValue="9810">
        <Select options={['9810', '9610', '0110'].map((m) => ({ value: m, label: m }))} />
      </Form.Item>
      <Form.Item
        name="releasedAt"
        label={t('provider.releasedAt')}
        extra={t('provider.releasedAtHint')}
        dependencies={['tradeMode']}
        rules={[({ getFieldValue }) => ({ required: getFieldValue('tradeMode') === '0110', pattern: /^\d{4}-\d{2}-\d{2}$/ })]}
      >
        <Input placeholder="2026-11-20" data-testid="consignment-released" />
      </Form.Item>
      <Form.Item name="lines" label={t('provider.lines')} extra={t('provider.linesHint')} rules={[{ required: true }]}>
        <Input.TextArea rows={4} placeholder={'SKU-1 100\nSKU-2 50'} data-testid="consignment-lines" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={receive.isPending} data-testid="consignment-submit">
        {t('provider.receive')}
      </Button>
    </Form>
  );
}

/**
 * Unsold stock of a consignment back to China (退运, GACC 2020 No. 44) under the customs record:
 * the platform refuses more than the consignment still holds unsold, or past a year from release.
 */
function ReturnToChinaCard() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const consignments = useQuery({
    queryKey: ['overseas', 'consignments'],
    queryFn: () => api<Consignment[]>('/overseas/consignments'),
  });
  const send = useMutation({
    mutationFn: (v: { consignmentId: string; customsRecordNo: string; lines: Line[] }) =>
      api<unknown>(`/overseas/consignments/${v.consignmentId}/return-to-china`, {
        method: 'POST',
        body: { customsRecordNo: v.customsRecordNo, lines: v.lines },
      }),
    onSuccess: async () => {
      void message.success(t('provider.sentToChina'));
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['overseas'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Card className="block-gap" title={t('provider.unsoldToChina')} style={{ maxWidth: 640 }}>
      <Form
        form={form}
        layout="vertical"
        data-testid="to-china-form"
        onFinish={(v: { consignmentId: string; customsRecordNo: string; lines: string }) => {
          const lines = parseLines(v.lines);
          if (!lines) return void message.error(t('provider.linesHint'));
          send.mutate({ consignmentId: v.consignmentId, customsRecordNo: v.customsRecordNo.trim(), lines });
        }}
      >
        <Form.Item name="consignmentId" label={t('provider.consignment')} rules={[{ required: true }]}>
          <Select
            data-testid="to-china-consignment"
            options={(consignments.data ?? []).map((c) => ({
              value: c.id,
              label: `${c.warehouseCode} · ${c.declarationNo} · ${c.lines
                .map((l) => `${l.sku} ${l.qty - l.allocated - l.toChina}/${l.qty}`)
                .join(', ')}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="lines" label={t('provider.lines')} extra={t('provider.linesHint')} rules={[{ required: true }]}>
          <Input.TextArea rows={2} placeholder="SKU-1 10" data-testid="to-china-lines" />
        </Form.Item>
        <Form.Item
          name="customsRecordNo"
          label={t('provider.customsRecordNo')}
          rules={[{ required: true, whitespace: true, max: 40 }]}
        >
          <Input data-testid="to-china-record" />
        </Form.Item>
        <Button htmlType="submit" loading={send.isPending} data-testid="to-china-submit">
          {t('provider.sendToChina')}
        </Button>
      </Form>
    </Card>
  );
}

function SalesTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [returnForm] = Form.useForm();
  const sales = useQuery({ queryKey: ['overseas', 'sales'], queryFn: () => api<Sale[]>('/overseas/sales') });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['overseas'] });
  const onError = (e: unknown) => void message.error(errorMessage(e, locale));
  const ship = useMutation({
    mutationFn: (id: string) => api<Sale>(`/overseas/sales/${id}/ship`, { method: 'POST' }),
    onSuccess: refresh,
    onError,
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api<Sale>(`/overseas/sales/${id}/cancel`, { method: 'POST' }),
    onSuccess: async () => {
      void message.success(t('provider.cancelled'));
      await refresh();
    },
    onError,
  });
  const ret = useMutation({
    mutationFn: (body: unknown) => api<unknown>('/overseas/returns', { method: 'POST', body }),
    onSuccess: async () => {
      void message.success(t('provider.returned'));
      returnForm.resetFields();
      await refresh();
    },
    onError,
  });
  return (
    <>
      {sales.error ? (
        <LoadError error={sales.error} onRetry={() => void sales.refetch()} />
      ) : (
        <Table<Sale>
          className="block-gap"
          rowKey="id"
          size="small"
          loading={sales.isLoading}
          dataSource={sales.data ?? []}
          data-testid="sales-table"
          columns={[
            { title: t('provider.orderNo'), dataIndex: 'orderNo' },
            { title: t('provider.status'), key: 'st', render: (_: unknown, s) => <Tag>{s.status}</Tag> },
            {
              title: t('provider.lines'),
              key: 'lines',
              render: (_: unknown, s) =>
                s.lines.map((l, i) => (
                  <div key={i}>
                    {l.sku} × {l.qty}
                    {l.returned ? ` (−${l.returned})` : ''} · {t('provider.declarationNo')} {l.declarationNo}
                  </div>
                )),
            },
            { title: '', key: 'at', render: (_: unknown, s) => formatDateTime(s.createdAt, locale) },
            {
              title: t('common.actions'),
              key: 'act',
              render: (_: unknown, s) =>
                s.status === 'reserved' ? (
                  <Space size="small">
                    <Button size="small" onClick={() => ship.mutate(s.id)} data-testid={`ship-${s.orderNo}`}>
                      {t('provider.ship')}
                    </Button>
                    <Popconfirm title={t('provider.cancelConfirm')} onConfirm={() => cancel.mutate(s.id)}>
                      <Button size="small" danger data-testid={`cancel-${s.orderNo}`}>
                        {t('provider.cancel')}
                      </Button>
                    </Popconfirm>
                  </Space>
                ) : null,
            },
          ]}
        />
      )}
      <Card className="block-gap" title={t('provider.returns')}>
        <Form
          form={returnForm}
          layout="inline"
          onFinish={(v: { saleId: string; sku: string; qty: number; disposition: string; customsRecordNo?: string }) =>
            ret.mutate({
              items: [{ saleId: v.saleId, sku: v.sku.trim(), qty: v.qty }],
              disposition: v.disposition,
              ...(v.customsRecordNo ? { customsRecordNo: v.customsRecordNo.trim() } : {}),
            })
          }
        >
          <Form.Item name="saleId" rules={[{ required: true }]}>
            <Select
              style={{ width: 200 }}
              placeholder={t('provider.orderNo')}
              options={(sales.data ?? []).filter((s) => s.status === 'shipped').map((s) => ({ value: s.id, label: s.orderNo }))}
            />
          </Form.Item>
          <Form.Item name="sku" rules={[{ required: true }]}>
            <Input placeholder="SKU" style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="qty" rules={[{ required: true }]}>
            <InputNumber min={1} placeholder={t('provider.qty')} />
          </Form.Item>
          <Form.Item name="disposition" initialValue="restock">
            <Select
              style={{ width: 180 }}
              options={[
                { value: 'restock', label: t('provider.restock') },
                { value: 'to_china', label: t('provider.toChina') },
              ]}
            />
          </Form.Item>
          <Form.Item name="customsRecordNo">
            <Input placeholder={t('provider.customsRecordNo')} />
          </Form.Item>
          <Button htmlType="submit" loading={ret.isPending}>
            {t('provider.return')}
          </Button>
        </Form>
      </Card>
    </>
  );
}

/**
 * The overseas-warehouse provider's desk: consignments in, the sellers' retail orders (reserved by
 * the seller against its stock) shipped, returns recorded.
 */
export default function OverseasProviderPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('provider.title')} testId="provider-title">
      <Tabs
        items={[
          {
            key: 'in',
            label: t('provider.consignments'),
            children: (
              <>
                <ConsignmentTab />
                <ReturnToChinaCard />
              </>
            ),
          },
          { key: 'sales', label: t('provider.sales'), children: <SalesTab /> },
        ]}
      />
    </Page>
  );
}
