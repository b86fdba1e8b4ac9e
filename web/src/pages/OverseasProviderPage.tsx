import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { pointColumns, SERVICES, type Point } from '../components/servicePoints.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

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
  const shipped = (sales.data ?? []).filter((s) => s.status === 'shipped');
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
      <Card className="block-gap" title={t('providerReturns.title')}>
        <Form
          form={returnForm}
          layout="vertical"
          data-testid="returns-form"
          initialValues={{ disposition: 'restock', items: [{ qty: 1 }] }}
          onFinish={(v: {
            items: { saleId: string; sku: string; qty: number }[];
            disposition: string;
            customsRecordNo?: string;
          }) =>
            ret.mutate({
              items: v.items.map((i) => ({ saleId: i.saleId, sku: i.sku.trim(), qty: i.qty })),
              disposition: v.disposition,
              ...(v.customsRecordNo?.trim() ? { customsRecordNo: v.customsRecordNo.trim() } : {}),
            })
          }
        >
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field, i) => (
                  <Space key={field.key} align="baseline" wrap style={{ display: 'flex' }}>
                    <Form.Item
                      name={[field.name, 'saleId']}
                      label={i === 0 ? t('providerReturns.sale') : undefined}
                      rules={[{ required: true }]}
                    >
                      <Select
                        style={{ width: 220 }}
                        showSearch
                        optionFilterProp="label"
                        placeholder={t('provider.orderNo')}
                        data-testid={`return-sale-${i}`}
                        options={shipped.map((s) => ({ value: s.id, label: s.orderNo }))}
                      />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {() => {
                        const saleId = returnForm.getFieldValue(['items', field.name, 'saleId']) as string | undefined;
                        const skus = [...new Set(shipped.find((s) => s.id === saleId)?.lines.map((l) => l.sku) ?? [])];
                        return (
                          <Form.Item
                            name={[field.name, 'sku']}
                            label={i === 0 ? 'SKU' : undefined}
                            rules={[{ required: true, whitespace: true }]}
                          >
                            <Select
                              style={{ width: 180 }}
                              placeholder="SKU"
                              data-testid={`return-sku-${i}`}
                              options={skus.map((sku) => ({ value: sku, label: sku }))}
                            />
                          </Form.Item>
                        );
                      }}
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'qty']}
                      label={i === 0 ? t('provider.qty') : undefined}
                      rules={[{ required: true }]}
                    >
                      <InputNumber min={1} precision={0} data-testid={`return-qty-${i}`} />
                    </Form.Item>
                    {fields.length > 1 ? (
                      <Button type="link" danger onClick={() => remove(field.name)}>
                        {t('providerReturns.removeRow')}
                      </Button>
                    ) : null}
                  </Space>
                ))}
                <Space className="block-gap" wrap style={{ display: 'flex' }}>
                  <Button
                    type="dashed"
                    disabled={fields.length >= 500}
                    onClick={() => add({ qty: 1 })}
                    data-testid="return-add-row"
                  >
                    {t('providerReturns.addRow')}
                  </Button>
                  <Typography.Text type="secondary">{t('providerReturns.rows', { count: fields.length })}</Typography.Text>
                </Space>
              </>
            )}
          </Form.List>
          <Space wrap align="start" className="block-gap">
            <Form.Item name="disposition" label={t('provider.returns')}>
              <Select
                style={{ width: 200 }}
                options={[
                  { value: 'restock', label: t('provider.restock') },
                  { value: 'to_china', label: t('provider.toChina') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="customsRecordNo"
              label={t('provider.customsRecordNo')}
              extra={t('providerReturns.customsHint')}
              dependencies={['disposition']}
              rules={[
                ({ getFieldValue }) => ({ required: getFieldValue('disposition') === 'to_china', whitespace: true, max: 40 }),
              ]}
            >
              <Input style={{ width: 240 }} />
            </Form.Item>
          </Space>
          <div>
            <Button htmlType="submit" loading={ret.isPending} data-testid="return-submit">
              {t('provider.return')}
            </Button>
          </div>
        </Form>
      </Card>
    </>
  );
}

interface ServicePoint extends Point {
  active: boolean;
}
type PointForm = Omit<ServicePoint, 'id' | 'active'>;

/**
 * The provider's own service points (境外服务体系): register, edit, retire. A retired point leaves
 * the public directory and takes no new requests; it stays listed here.
 */
function ServicePointsTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PointForm>();
  const [editing, setEditing] = useState<ServicePoint | null>(null);
  const mine = useQuery({ queryKey: ['service-points', 'mine'], queryFn: () => api<ServicePoint[]>('/service-points/mine') });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['service-points'] });
  const onError = (e: unknown) => void message.error(errorMessage(e, locale));
  const save = useMutation({
    mutationFn: (v: { id: string | null; body: PointForm }) =>
      v.id
        ? api<ServicePoint>(`/service-points/${v.id}`, { method: 'PUT', body: v.body })
        : api<ServicePoint>('/service-points', { method: 'POST', body: v.body }),
    onSuccess: async (_p, v) => {
      void message.success(t(v.id ? 'pointsAdmin.saved' : 'pointsAdmin.registered'));
      setEditing(null);
      form.resetFields();
      await refresh();
    },
    onError,
  });
  const retire = useMutation({
    mutationFn: (id: string) => api<ServicePoint>(`/service-points/${id}/deactivate`, { method: 'POST' }),
    onSuccess: async (_p, id) => {
      void message.success(t('pointsAdmin.retired'));
      if (editing?.id === id) {
        setEditing(null);
        form.resetFields();
      }
      await refresh();
    },
    onError,
  });
  const startEdit = (p: ServicePoint) => {
    setEditing(p);
    form.setFieldsValue({
      name: p.name,
      country: p.country,
      city: p.city,
      services: p.services,
      contact: p.contact,
      description: p.description,
    });
  };
  return (
    <>
      {mine.error ? <LoadError error={mine.error} onRetry={() => void mine.refetch()} /> : null}
      <Table<ServicePoint>
        rowKey="id"
        size="small"
        loading={mine.isLoading}
        dataSource={mine.data ?? []}
        data-testid="my-points"
        columns={[
          ...pointColumns<ServicePoint>(t),
          {
            title: t('provider.status'),
            key: 'st',
            render: (_: unknown, p) =>
              p.active ? <Tag color="green">{t('pointsAdmin.active')}</Tag> : <Tag>{t('pointsAdmin.inactive')}</Tag>,
          },
          {
            title: t('common.actions'),
            key: 'act',
            render: (_: unknown, p) =>
              p.active ? (
                <Space size="small">
                  <Button size="small" onClick={() => startEdit(p)} data-testid={`point-edit-${p.id}`}>
                    {t('pointsAdmin.edit')}
                  </Button>
                  <Popconfirm title={t('pointsAdmin.retireConfirm')} onConfirm={() => retire.mutate(p.id)}>
                    <Button size="small" danger data-testid={`point-retire-${p.id}`}>
                      {t('pointsAdmin.retire')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : null,
          },
        ]}
      />
      <Card
        className="block-gap"
        style={{ maxWidth: 640 }}
        title={editing ? t('pointsAdmin.editing', { name: editing.name }) : t('pointsAdmin.newPoint')}
        extra={
          editing ? (
            <Button
              size="small"
              onClick={() => {
                setEditing(null);
                form.resetFields();
              }}
            >
              {t('pointsAdmin.cancelEdit')}
            </Button>
          ) : null
        }
      >
        <Form
          form={form}
          layout="vertical"
          data-testid="point-form"
          onFinish={(v) =>
            save.mutate({
              id: editing?.id ?? null,
              body: {
                name: v.name.trim(),
                country: v.country.trim().toUpperCase(),
                city: v.city.trim(),
                services: v.services,
                contact: v.contact.trim(),
                description: v.description?.trim() ?? '',
              },
            })
          }
        >
          <Form.Item name="name" label={t('points.name')} rules={[{ required: true, whitespace: true, max: 100 }]}>
            <Input data-testid="point-name" />
          </Form.Item>
          <Space wrap align="start">
            <Form.Item
              name="country"
              label={t('points.country')}
              extra={t('pointsAdmin.countryHint')}
              rules={[{ required: true, pattern: /^[A-Za-z]{2}$/ }]}
            >
              <Input maxLength={2} style={{ width: 120 }} data-testid="point-country" />
            </Form.Item>
            <Form.Item name="city" label={t('points.city')} rules={[{ required: true, whitespace: true, max: 60 }]}>
              <Input style={{ width: 220 }} data-testid="point-city" />
            </Form.Item>
          </Space>
          <Form.Item name="services" label={t('points.service')} rules={[{ required: true, type: 'array', min: 1 }]}>
            <Select
              mode="multiple"
              data-testid="point-services"
              options={SERVICES.map((s) => ({ value: s, label: t(`points.services.${s}`) }))}
            />
          </Form.Item>
          <Form.Item name="contact" label={t('points.contact')} rules={[{ required: true, whitespace: true, max: 200 }]}>
            <Input data-testid="point-contact" />
          </Form.Item>
          <Form.Item name="description" label={t('pointsAdmin.description')} rules={[{ max: 2000 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="point-save">
            {editing ? t('pointsAdmin.save') : t('pointsAdmin.register')}
          </Button>
        </Form>
      </Card>
    </>
  );
}

/**
 * The overseas-warehouse provider's desk: consignments in, the sellers' retail orders (reserved by
 * the seller against its stock) shipped, returns recorded; its service points kept up.
 */
export default function OverseasProviderPage() {
  const { t } = useTranslation();
  const session = useSession();
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
          ...(hasPermission(session, 'servicepoints.manage')
            ? [{ key: 'points', label: t('pointsAdmin.mine'), children: <ServicePointsTab /> }]
            : []),
        ]}
      />
    </Page>
  );
}
