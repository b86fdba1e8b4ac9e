import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

interface Balance {
  warehouseId: string;
  warehouseCode: string;
  sku: string;
  in: number;
  reserved: number;
  out: number;
  returned: number;
  /** unsold units sent back to China (退运) */
  toChina: number;
  available: number;
}

interface Consignment {
  id: string;
  warehouseCode: string;
  declarationNo: string;
  tradeMode: string;
  /** inventory | summary: checked against the platform's customs records; external (0110) | legacy: as typed */
  declarationSource: 'inventory' | 'summary' | 'external' | 'legacy';
  declarationVerified: boolean;
  releasedAt: string;
  releasedAtTyped: string | null;
  /** allocated: drawn by retail sales; toChina: sent back to China unsold */
  lines: { sku: string; qty: number; allocated: number; toChina: number }[];
  createdAt: string;
}

interface Sale {
  id: string;
  warehouseId: string;
  orderNo: string;
  status: 'reserved' | 'shipped' | 'cancelled';
  lines: { sku: string; qty: number; returned: number; declarationNo: string }[];
  createdAt: string;
}

type MovementKind = 'in' | 'reserve' | 'out' | 'release' | 'return' | 'return_to_china' | 'unsold_to_china';
interface Movement {
  id: string;
  kind: MovementKind;
  qty: number;
  at: string;
  declarationNo: string | null;
  orderNo: string | null;
  customsRecordNo: string | null;
}

const STATUS_COLOR: Record<Sale['status'], string> = { reserved: 'blue', shipped: 'green', cancelled: 'default' };

/**
 * A retail order abroad: the seller reserves its overseas stock per SKU (the platform draws the
 * oldest lots first and ties each unit to its export declaration).
 */
function RetailOrderCard({ stock }: { stock: Balance[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ warehouseId: string; orderNo: string; lines: { sku: string; qty: number }[] }>();
  const warehouseId = Form.useWatch('warehouseId', form);
  const warehouses = [...new Map(stock.map((b) => [b.warehouseId, b.warehouseCode])).entries()];
  const place = useMutation({
    mutationFn: (body: { warehouseId: string; orderNo: string; lines: { sku: string; qty: number }[] }) =>
      api<Sale>('/overseas/sales', { method: 'POST', body }),
    onSuccess: async () => {
      void message.success(t('overseasSeller.placed'));
      form.resetFields(['orderNo', 'lines']);
      await queryClient.invalidateQueries({ queryKey: ['overseas'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Card className="block-gap" title={t('overseasSeller.newOrder')}>
      <Typography.Paragraph type="secondary">{t('overseasSeller.newOrderHint')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        style={{ maxWidth: 720 }}
        data-testid="sale-form"
        initialValues={{ lines: [{ sku: undefined, qty: 1 }] }}
        onFinish={(v) =>
          place.mutate({
            warehouseId: v.warehouseId,
            orderNo: v.orderNo.trim(),
            lines: v.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
          })
        }
      >
        <Space wrap align="start">
          <Form.Item name="warehouseId" label={t('overseasSeller.warehouse')} rules={[{ required: true }]}>
            <Select
              style={{ width: 200 }}
              data-testid="sale-warehouse"
              options={warehouses.map(([id, code]) => ({ value: id, label: code }))}
              onChange={() => form.setFieldValue('lines', [{ sku: undefined, qty: 1 }])}
            />
          </Form.Item>
          <Form.Item name="orderNo" label={t('overseasSeller.orderNo')} rules={[{ required: true, whitespace: true, max: 60 }]}>
            <Input style={{ width: 220 }} data-testid="sale-order-no" />
          </Form.Item>
        </Space>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap style={{ display: 'flex' }}>
                  <Form.Item
                    name={[field.name, 'sku']}
                    label={i === 0 ? t('overseasSeller.sku') : undefined}
                    rules={[{ required: true }]}
                  >
                    <Select
                      style={{ width: 260 }}
                      data-testid={`sale-sku-${i}`}
                      showSearch
                      options={stock
                        .filter((b) => b.warehouseId === warehouseId)
                        .map((b) => ({
                          value: b.sku,
                          label: `${b.sku} · ${t('overseasSeller.available', { count: b.available })}`,
                          disabled: b.available <= 0,
                        }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'qty']}
                    label={i === 0 ? t('overseasSeller.qty') : undefined}
                    rules={[{ required: true }]}
                  >
                    <InputNumber min={1} max={1_000_000} precision={0} data-testid={`sale-qty-${i}`} />
                  </Form.Item>
                  {fields.length > 1 ? (
                    <Button type="link" danger onClick={() => remove(field.name)}>
                      {t('overseasSeller.removeLine')}
                    </Button>
                  ) : null}
                </Space>
              ))}
              <div>
                <Button type="dashed" disabled={fields.length >= 500} onClick={() => add({ qty: 1 })} data-testid="sale-add-line">
                  {t('overseasSeller.addLine')}
                </Button>
              </div>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" className="block-gap" loading={place.isPending} data-testid="sale-submit">
          {t('overseasSeller.place')}
        </Button>
      </Form>
    </Card>
  );
}

/** The seller's retail orders abroad; a reserved one can be cancelled (its stock comes free again). */
function SalesCard({ codeOf }: { codeOf: (warehouseId: string) => string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const sales = useQuery({ queryKey: ['overseas', 'sales'], queryFn: () => api<Sale[]>('/overseas/sales') });
  const cancel = useMutation({
    mutationFn: (id: string) => api<Sale>(`/overseas/sales/${id}/cancel`, { method: 'POST' }),
    onSuccess: async () => {
      void message.success(t('overseasSeller.cancelled'));
      await queryClient.invalidateQueries({ queryKey: ['overseas'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Card className="block-gap" title={t('overseasSeller.sales')}>
      {sales.error ? <LoadError error={sales.error} onRetry={() => void sales.refetch()} /> : null}
      <Table<Sale>
        rowKey="id"
        size="small"
        loading={sales.isLoading}
        dataSource={sales.data ?? []}
        data-testid="seller-sales"
        columns={[
          { title: t('overseasSeller.orderNo'), dataIndex: 'orderNo' },
          { title: t('overseasSeller.warehouse'), key: 'w', render: (_: unknown, s) => codeOf(s.warehouseId) },
          {
            title: t('provider.status'),
            key: 'st',
            render: (_: unknown, s) => (
              <Tag color={STATUS_COLOR[s.status]} data-testid={`sale-status-${s.orderNo}`}>
                {t(`overseasSeller.status.${s.status}`)}
              </Tag>
            ),
          },
          {
            title: t('overseasSeller.lines'),
            key: 'lines',
            render: (_: unknown, s) =>
              s.lines.map((l, i) => (
                <div key={i}>
                  {l.sku} × {l.qty}
                  {l.returned ? ` (−${l.returned})` : ''} · {l.declarationNo}
                </div>
              )),
          },
          { title: t('common.createdAt'), key: 'at', render: (_: unknown, s) => formatDateTime(s.createdAt, locale) },
          {
            title: t('common.actions'),
            key: 'act',
            render: (_: unknown, s) =>
              s.status === 'reserved' ? (
                <Popconfirm title={t('overseasSeller.cancelConfirm')} onConfirm={() => cancel.mutate(s.id)}>
                  <Button size="small" danger data-testid={`seller-cancel-${s.orderNo}`}>
                    {t('overseasSeller.cancel')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}

/** Every movement behind one SKU's balance in one warehouse, newest first, with its declaration and order. */
function MovementsDrawer({ target, onClose }: { target: Balance | null; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const movements = useQuery({
    queryKey: ['overseas', 'movements', target?.warehouseId, target?.sku],
    enabled: !!target,
    queryFn: () => api<Movement[]>('/overseas/movements', { query: { warehouseId: target!.warehouseId, sku: target!.sku } }),
  });
  return (
    <Drawer
      open={!!target}
      onClose={onClose}
      width={760}
      title={target ? t('overseasSeller.historyOf', { sku: target.sku, warehouse: target.warehouseCode }) : ''}
    >
      {movements.error ? <LoadError error={movements.error} onRetry={() => void movements.refetch()} /> : null}
      <Table<Movement>
        rowKey="id"
        size="small"
        loading={movements.isLoading}
        dataSource={movements.data ?? []}
        data-testid="movements-table"
        pagination={{ pageSize: 50 }}
        columns={[
          { title: t('overseasSeller.at'), key: 'at', render: (_: unknown, m) => formatDateTime(m.at, locale) },
          { title: t('overseasSeller.kind'), key: 'k', render: (_: unknown, m) => t(`overseasSeller.kinds.${m.kind}`) },
          { title: t('overseasSeller.qty'), dataIndex: 'qty', align: 'right' },
          { title: t('overseasSeller.orderNo'), dataIndex: 'orderNo' },
          { title: t('overseasSeller.declarationNo'), dataIndex: 'declarationNo' },
          { title: t('overseasSeller.customsRecordNo'), dataIndex: 'customsRecordNo' },
        ]}
      />
    </Drawer>
  );
}

/** Verified against customs (green), declared outside the platform (orange), or from before verification. */
const SOURCE_COLOR: Record<Consignment['declarationSource'], string> = {
  inventory: 'green',
  summary: 'green',
  external: 'orange',
  legacy: 'default',
};

/**
 * The overseas warehouse ledger per SKU (what went in, is reserved by retail orders, left, came
 * back), and the consignments behind it with their export declarations: verified against the
 * platform's customs records, or external (0110).
 */
export default function OverseasStockPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  // the seller orders and cancels; a provider reads the ledger here and works on its own desk
  const seller = !session.user.organisation?.roles.includes('overseas') && hasPermission(session, 'overseas.manage');
  const [history, setHistory] = useState<Balance | null>(null);
  const stock = useQuery({ queryKey: ['overseas', 'stock'], queryFn: () => api<Balance[]>('/overseas/stock') });
  const consignments = useQuery({
    queryKey: ['overseas', 'consignments'],
    queryFn: () => api<Consignment[]>('/overseas/consignments'),
  });
  return (
    <Page title={t('overseas.title')} testId="overseas-title">
      {stock.error ? <LoadError error={stock.error} onRetry={() => void stock.refetch()} /> : null}
      <Table<Balance>
        rowKey={(b) => `${b.warehouseId}|${b.sku}`}
        loading={stock.isLoading}
        dataSource={stock.data ?? []}
        data-testid="overseas-stock"
        columns={[
          { title: t('overseas.warehouse'), dataIndex: 'warehouseCode' },
          { title: t('overseas.sku'), dataIndex: 'sku' },
          { title: t('overseas.in'), dataIndex: 'in', align: 'right' },
          { title: t('overseas.reserved'), dataIndex: 'reserved', align: 'right' },
          { title: t('overseas.out'), dataIndex: 'out', align: 'right' },
          { title: t('overseas.returned'), dataIndex: 'returned', align: 'right' },
          { title: t('overseas.toChina'), dataIndex: 'toChina', align: 'right' },
          { title: t('overseas.available'), dataIndex: 'available', align: 'right' },
          {
            title: '',
            key: 'history',
            render: (_: unknown, b) => (
              <Button size="small" type="link" onClick={() => setHistory(b)} data-testid={`history-${b.warehouseCode}-${b.sku}`}>
                {t('overseasSeller.history')}
              </Button>
            ),
          },
        ]}
      />
      <MovementsDrawer target={history} onClose={() => setHistory(null)} />
      {seller ? (
        <>
          <RetailOrderCard stock={stock.data ?? []} />
          <SalesCard codeOf={(id) => stock.data?.find((b) => b.warehouseId === id)?.warehouseCode ?? id.slice(0, 8)} />
        </>
      ) : null}
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('overseas.consignments')}
      </Typography.Title>
      {consignments.error ? <LoadError error={consignments.error} onRetry={() => void consignments.refetch()} /> : null}
      <Table<Consignment>
        rowKey="id"
        loading={consignments.isLoading}
        dataSource={consignments.data ?? []}
        data-testid="overseas-consignments"
        columns={[
          { title: t('overseas.warehouse'), dataIndex: 'warehouseCode' },
          { title: t('overseas.declarationNo'), dataIndex: 'declarationNo' },
          { title: t('overseas.tradeMode'), dataIndex: 'tradeMode' },
          {
            title: t('overseas.declarationCheck'),
            dataIndex: 'declarationSource',
            render: (s: Consignment['declarationSource']) => (
              <Tooltip title={t(`overseas.sourceHint.${s}`)}>
                <Tag color={SOURCE_COLOR[s]} data-testid={`consignment-source-${s}`}>
                  {t(`overseas.source.${s}`)}
                </Tag>
              </Tooltip>
            ),
          },
          {
            title: t('overseas.released'),
            dataIndex: 'releasedAt',
            render: (v: string, c) =>
              c.releasedAtTyped && c.declarationVerified && c.releasedAtTyped !== v ? (
                <Tooltip title={t('overseas.releasedTyped', { typed: formatDateTime(c.releasedAtTyped, locale) })}>
                  {formatDateTime(v, locale)} *
                </Tooltip>
              ) : (
                formatDateTime(v, locale)
              ),
          },
          {
            title: t('overseas.consignmentLines'),
            dataIndex: 'lines',
            render: (lines: Consignment['lines']) =>
              lines.map((l) => `${l.sku} ${l.qty}${l.toChina ? ` (${t('overseas.toChina')} ${l.toChina})` : ''}`).join('，'),
          },
        ]}
      />
    </Page>
  );
}
