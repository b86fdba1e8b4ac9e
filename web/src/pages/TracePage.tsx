import { MinusCircleOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Drawer, Form, Input, InputNumber, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { InspectionTag, TraceChain, type TraceDetail } from './TraceChain.tsx';

interface TraceCode {
  code: string;
  kind: string;
  batchNo: string;
  itemNo: string;
  productName: string;
  productNames: Record<string, string>;
  createdAt: string;
}

/**
 * The languages a seller may name a product in for buyers abroad: the verification page's own
 * (its labels too), then others whose buyers see the name with English labels.
 */
const NAME_LANGUAGES: { value: string; label: string }[] = [
  ['en', 'English'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
  ['es', 'Español'],
  ['pt', 'Português'],
  ['ru', 'Русский'],
  ['ja', '日本語'],
  ['ko', '한국어'],
  ['ar', 'العربية'],
  ['it', 'Italiano'],
  ['nl', 'Nederlands'],
  ['pl', 'Polski'],
  ['tr', 'Türkçe'],
  ['th', 'ไทย'],
  ['vi', 'Tiếng Việt'],
  ['id', 'Bahasa Indonesia'],
  ['ms', 'Bahasa Melayu'],
].map(([value, label]) => ({ value: value!, label: `${label} (${value})` }));

interface CreateForm {
  kind: 'unit' | 'batch';
  itemNo: string;
  batchNo: string;
  quantity: number;
  producer: string;
  names?: { lang?: string; name?: string }[];
}

type SellerLinkKind = 'warehouse' | 'departure' | 'delivery' | 'producer';

/** The links a seller records: a parcel's (from its records) and the producer (its own word). */
function EventForm({ code, onDone }: { code: string; onDone: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: SellerLinkKind; logisticsNo?: string; place?: string; note?: string }>();
  const kind = Form.useWatch('kind', form) ?? 'warehouse';
  const add = useMutation({
    mutationFn: (v: { kind: SellerLinkKind; logisticsNo?: string; place?: string; note?: string }) =>
      api<{ added: number }>(`/trace/codes/${encodeURIComponent(code)}/events`, {
        method: 'POST',
        body:
          v.kind === 'producer'
            ? { kind: v.kind, place: v.place, ...(v.note ? { note: v.note } : {}) }
            : { kind: v.kind, logisticsNo: v.logisticsNo },
      }),
    onSuccess: (r) => {
      void message.success(t('trace.recorded', { count: r.added }));
      form.resetFields(['logisticsNo', 'place', 'note']);
      onDone();
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Form
      form={form}
      layout="inline"
      initialValues={{ kind: 'warehouse' }}
      onFinish={(v) => add.mutate(v)}
      data-testid="trace-event-form"
    >
      <Form.Item name="kind" label={t('trace.eventKind')}>
        <Select
          style={{ width: 200 }}
          data-testid="trace-event-kind"
          options={(['warehouse', 'departure', 'delivery', 'producer'] as const).map((k) => ({
            value: k,
            label: t(`trace.kinds.${k}`),
          }))}
        />
      </Form.Item>
      {kind === 'producer' ? (
        <>
          <Form.Item name="place" label={t('trace.place')} rules={[{ required: true }]}>
            <Input style={{ width: 220 }} data-testid="trace-event-place" />
          </Form.Item>
          <Form.Item name="note" label={t('trace.note')}>
            <Input style={{ width: 200 }} />
          </Form.Item>
        </>
      ) : (
        <Form.Item name="logisticsNo" label={t('trace.logisticsNo')} rules={[{ required: true }]}>
          <Input style={{ width: 200 }} data-testid="trace-event-logistics-no" />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="trace-event-submit">
        {t('trace.record')}
      </Button>
      {kind !== 'producer' ? (
        <Typography.Paragraph type="secondary" style={{ width: '100%', marginTop: 8, marginBottom: 0 }}>
          {t('trace.fromRecord')}
        </Typography.Paragraph>
      ) : null}
    </Form>
  );
}

/** One code: its chain, and the form to add a link. */
function CodeDrawer({ code, onClose }: { code: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ['trace-code', code],
    enabled: !!code,
    queryFn: ({ signal }) => api<TraceDetail>(`/trace/codes/${encodeURIComponent(code!)}`, { signal }),
  });
  return (
    <Drawer open={!!code} onClose={onClose} size={960} title={code} destroyOnHidden>
      {detail.error ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : detail.data ? (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Typography.Text>
            {detail.data.productName} · {t('trace.batchNo')} {detail.data.batchNo} · {t('trace.inspectionState')}{' '}
            <InspectionTag state={detail.data.checks.inspection} />
          </Typography.Text>
          <Card size="small" title={t('trace.addEvent')}>
            <EventForm code={code!} onDone={() => void detail.refetch()} />
          </Card>
          <Card size="small" title={t('trace.chain')}>
            <TraceChain chain={detail.data.chain} />
          </Card>
        </Space>
      ) : null}
    </Drawer>
  );
}

/** 质量追溯: a seller makes trace codes for filed products, records the chain, prints a batch's QR labels. */
export default function TracePage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const codes = useQuery({
    queryKey: ['trace-codes'],
    queryFn: ({ signal }) => api<{ items: TraceCode[]; scanCountries: 'proxy' | 'unknown' }>('/trace/codes', { signal }),
  });
  const create = useMutation({
    mutationFn: ({ names, ...v }: CreateForm) =>
      api<{ items: TraceCode[] }>('/trace/codes', {
        method: 'POST',
        body: {
          ...v,
          productNames: Object.fromEntries(
            (names ?? []).filter((n) => n.lang && n.name?.trim()).map((n) => [n.lang!, n.name!.trim()]),
          ),
        },
      }),
    onSuccess: (r) => {
      void message.success(t('trace.created', { count: r.items.length }));
      void qc.invalidateQueries({ queryKey: ['trace-codes'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const labelsUrl = (batchNo: string, itemNo?: string) => apiUrl('/trace/labels', { batchNo, itemNo });

  return (
    <Page title={t('trace.title')} testId="trace-title">
      {codes.data?.scanCountries === 'unknown' ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('trace.geoUnknown')}
          data-testid="trace-geo-unknown"
        />
      ) : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form<CreateForm>
          layout="vertical"
          initialValues={{ kind: 'unit', quantity: 1, names: [] }}
          onFinish={(v) => create.mutate(v)}
        >
          <Space wrap align="start">
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
              <Input style={{ width: 160 }} data-testid="trace-item-no" />
            </Form.Item>
            <Form.Item name="batchNo" label={t('trace.batchNo')} rules={[{ required: true }]}>
              <Input style={{ width: 140 }} data-testid="trace-batch-no" />
            </Form.Item>
            <Form.Item name="quantity" label={t('trace.quantity')}>
              <InputNumber min={1} max={500} />
            </Form.Item>
            <Form.Item name="producer" label={t('trace.producer')} rules={[{ required: true }]}>
              <Input style={{ width: 220 }} data-testid="trace-producer" />
            </Form.Item>
          </Space>
          <Form.Item label={t('trace.productNames')}>
            <Form.List name="names">
              {(fields, { add, remove }) => (
                <Space orientation="vertical">
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline">
                      <Form.Item name={[f.name, 'lang']} rules={[{ required: true }]} noStyle>
                        <Select
                          style={{ width: 200 }}
                          placeholder={t('trace.language')}
                          options={NAME_LANGUAGES}
                          data-testid={`trace-name-lang-${f.name}`}
                        />
                      </Form.Item>
                      <Form.Item name={[f.name, 'name']} rules={[{ required: true, max: 200 }]} noStyle>
                        <Input
                          style={{ width: 320 }}
                          placeholder={t('trace.nameInLanguage')}
                          data-testid={`trace-name-${f.name}`}
                        />
                      </Form.Item>
                      <MinusCircleOutlined onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button icon={<PlusOutlined />} onClick={() => add({})} data-testid="trace-name-add">
                    {t('trace.addName')}
                  </Button>
                </Space>
              )}
            </Form.List>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="trace-create">
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
          data-testid="trace-codes"
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
            {
              title: t('trace.productNames'),
              dataIndex: 'productNames',
              render: (n: Record<string, string>) =>
                Object.entries(n)
                  .map(([lang, name]) => `${lang}: ${name}`)
                  .join(' · '),
            },
            { title: t('trace.batchNo'), dataIndex: 'batchNo' },
            { title: t('trace.kind'), dataIndex: 'kind' },
            {
              title: t('trace.label'),
              dataIndex: 'code',
              key: 'qr',
              render: (c: string, r: TraceCode) => (
                <Space>
                  <a href={`/api/v1/trace/codes/${c}/qr.svg`} target="_blank" rel="noreferrer">
                    QR
                  </a>
                  <a href={labelsUrl(r.batchNo, r.itemNo)} target="_blank" rel="noreferrer" data-testid={`trace-labels-${c}`}>
                    <PrinterOutlined /> {t('trace.labels')}
                  </a>
                </Space>
              ),
            },
            {
              title: t('trace.chain'),
              key: 'chain',
              render: (_: unknown, r: TraceCode) => (
                <Button size="small" onClick={() => setOpen(r.code)} data-testid={`trace-open-${r.code}`}>
                  {t('trace.addEvent')}
                </Button>
              ),
            },
          ]}
        />
      )}
      <CodeDrawer code={open} onClose={() => setOpen(null)} />
    </Page>
  );
}
