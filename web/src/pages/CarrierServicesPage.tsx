import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { downloadText } from '../clearance.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

const KINDS = ['ems', 'air_registered', 'air_unregistered', 'express', 'sea_consolidation', 'rail_consolidation'] as const;
type Kind = (typeof KINDS)[number];

interface Service {
  id: string;
  code: string;
  name: string;
  kind: Kind;
  countries: string[];
  transitDays: number | null;
  active: boolean;
}
interface ServiceForm {
  code: string;
  name: string;
  kind: Kind;
  countries: string;
  transitDays?: number | null;
}
interface Hook {
  id: string;
  url: string;
  pending: number;
  /** batches given up on (still failing 72 hours after they were queued) */
  failed: number;
  failingSince: string | null;
  lastError: string | null;
  lastDeliveredAt: string | null;
}
interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  errors: { row: number; column: string; rule: string; message: { zh: string; en: string }; value?: string }[];
}
interface ExportPage {
  format: string;
  next: string | null;
  parcels: { logisticsNo: string }[];
}

/** A date (yyyy-MM-dd) at midnight China time, as ISO 8601; `days` later for an inclusive end. */
const chinaMidnight = (date: string, days = 0): string =>
  new Date(new Date(`${date}T00:00:00+08:00`).getTime() + days * 86_400_000).toISOString();
const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
/** Pages fetched for one download at most (10,000 parcels each). */
const MAX_EXPORT_PAGES = 100;

/** The carrier's tracking file (POST /logistics/events/csv): good rows stored, refused rows listed. */
function TrackingCsvCard() {
  const { t } = useTranslation();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const upload = useMutation({
    mutationFn: (file: File) =>
      api<IngestResult>('/logistics/events/csv', { method: 'POST', rawBody: file, contentType: 'text/csv' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['logistics', 'problems'] }),
  });
  return (
    <Card className="block-gap" title={t('carrier.csvTitle')} data-testid="carrier-csv">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('carrier.csvHint')}</Typography.Text>
        <Upload
          accept=".csv,text/csv"
          showUploadList={false}
          beforeUpload={(file) => {
            upload.mutate(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={upload.isPending} data-testid="carrier-csv-upload">
            {t('carrier.csvChoose')}
          </Button>
        </Upload>
        {upload.error ? <Alert type="error" showIcon message={errorMessage(upload.error, locale)} /> : null}
        {upload.data ? (
          <Alert
            type={upload.data.rejected ? 'warning' : 'success'}
            showIcon
            message={t('carrier.csvResult', {
              received: upload.data.received,
              stored: upload.data.stored,
              duplicates: upload.data.duplicates,
              rejected: upload.data.rejected,
            })}
            data-testid="carrier-csv-result"
          />
        ) : null}
        {upload.data?.errors.length ? (
          <Table
            rowKey={(e) => `${e.row}-${e.column}-${e.rule}`}
            size="small"
            pagination={{ pageSize: 20 }}
            dataSource={upload.data.errors}
            data-testid="carrier-csv-errors"
            columns={[
              { title: t('carrier.row'), dataIndex: 'row' },
              { title: t('carrier.column'), dataIndex: 'column' },
              {
                title: t('carrier.problem'),
                key: 'message',
                render: (_: unknown, e) => (locale === 'en' ? e.message.en : e.message.zh),
              },
              { title: t('carrier.value'), dataIndex: 'value' },
            ]}
          />
        ) : null}
      </Space>
    </Card>
  );
}

/** The logistics information export (docs/logistics-export.md), every page of the period in one file. */
function ExportCard() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const [from, setFrom] = useState(() => today().slice(0, 8) + '01');
  const [to, setTo] = useState(today);
  const run = useMutation({
    mutationFn: async () => {
      const query = { from: chinaMidnight(from), to: chinaMidnight(to, 1), limit: 10_000 };
      let first: ExportPage | null = null;
      const parcels: ExportPage['parcels'] = [];
      let after: string | null = null;
      for (let i = 0; i < MAX_EXPORT_PAGES; i++) {
        const page: ExportPage = await api<ExportPage>('/logistics/export', { query: { ...query, after } });
        first ??= page;
        parcels.push(...page.parcels);
        after = page.next;
        if (!after) break;
      }
      return { ...first!, next: after, parcels };
    },
    onSuccess: (x) => {
      downloadText(`logistics-${from}-${to}.json`, JSON.stringify(x, null, 2), 'application/json;charset=utf-8');
      void message.success(t('carrier.exportDone', { count: x.parcels.length }));
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Card className="block-gap" title={t('carrier.exportTitle')} data-testid="carrier-export">
      <Space wrap>
        <span>{t('carrier.exportFrom')}</span>
        <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="carrier-export-from" />
        <span>{t('carrier.exportTo')}</span>
        <Input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="carrier-export-to" />
        <Button
          icon={<DownloadOutlined />}
          disabled={!from || !to || from > to}
          loading={run.isPending}
          onClick={() => run.mutate()}
          data-testid="carrier-export-run"
        >
          {t('carrier.exportRun')}
        </Button>
      </Space>
    </Card>
  );
}

/** The carrier's own services and their destination countries (routes), and where its tracking is pushed. */
export default function CarrierServicesPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ServiceForm>();
  const services = useQuery({
    queryKey: ['logistics', 'services', 'mine'],
    queryFn: () => api<Service[]>('/logistics/services', { query: { mine: 'true' } }),
  });
  const hooks = useQuery({ queryKey: ['logistics', 'webhooks'], queryFn: () => api<Hook[]>('/logistics/webhooks') });
  const save = useMutation({
    mutationFn: (body: Omit<Service, 'id'>) => api<Service>('/logistics/services', { method: 'PUT', body }),
    onSuccess: async () => {
      void message.success(t('carrier.saved'));
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['logistics', 'services'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const addHook = useMutation({
    mutationFn: (url: string) => api<Hook & { secret: string }>('/logistics/webhooks', { method: 'POST', body: { url } }),
    onSuccess: async (h) => {
      modal.info({ title: t('carrier.hookSecret'), content: <Typography.Text copyable>{h.secret}</Typography.Text> });
      await queryClient.invalidateQueries({ queryKey: ['logistics', 'webhooks'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const removeHook = useMutation({
    mutationFn: (id: string) => api<undefined>(`/logistics/webhooks/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['logistics', 'webhooks'] }),
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const toBody = (v: ServiceForm, active = true): Omit<Service, 'id'> => ({
    code: v.code.trim(),
    name: v.name.trim(),
    kind: v.kind,
    countries: v.countries
      .split(/[\s,，、]+/)
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean),
    transitDays: v.transitDays ?? null,
    active,
  });

  return (
    <Page title={t('carrier.title')} testId="carrier-title">
      <Card title={t('carrier.add')}>
        <Form<ServiceForm> form={form} layout="inline" onFinish={(v) => save.mutate(toBody(v))} data-testid="carrier-form">
          <Form.Item name="code" rules={[{ required: true }]}>
            <Input placeholder={t('carrier.code')} data-testid="carrier-code" style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="name" rules={[{ required: true }]}>
            <Input placeholder={t('carrier.name')} data-testid="carrier-name" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="kind" rules={[{ required: true }]} initialValue="ems">
            <Select<Kind>
              style={{ width: 200 }}
              data-testid="carrier-kind"
              options={KINDS.map((k) => ({ value: k, label: t(`carrier.kinds.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="countries" rules={[{ required: true }]}>
            <Input placeholder={t('carrier.countriesHint')} data-testid="carrier-countries" style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="transitDays">
            <InputNumber min={1} max={120} placeholder={t('carrier.transitDays')} style={{ width: 130 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="carrier-save">
            {t('carrier.save')}
          </Button>
        </Form>
      </Card>
      {services.error ? (
        <LoadError error={services.error} onRetry={() => void services.refetch()} />
      ) : (
        <Table<Service>
          className="block-gap"
          rowKey="id"
          loading={services.isLoading}
          dataSource={services.data ?? []}
          data-testid="carrier-services"
          columns={[
            { title: t('carrier.code'), dataIndex: 'code' },
            { title: t('carrier.name'), dataIndex: 'name' },
            { title: t('carrier.kind'), key: 'kind', render: (_: unknown, s) => t(`carrier.kinds.${s.kind}`) },
            {
              title: t('carrier.countries'),
              key: 'countries',
              render: (_: unknown, s) => s.countries.map((c) => <Tag key={c}>{c}</Tag>),
            },
            { title: t('carrier.transitDays'), dataIndex: 'transitDays' },
            {
              title: t('carrier.active'),
              key: 'active',
              render: (_: unknown, s) => (
                <Switch
                  checked={s.active}
                  onChange={(active) =>
                    save.mutate({
                      code: s.code,
                      name: s.name,
                      kind: s.kind,
                      countries: s.countries,
                      transitDays: s.transitDays,
                      active,
                    })
                  }
                />
              ),
            },
          ]}
        />
      )}
      <Card className="block-gap" title={t('carrier.hooks')}>
        <Input.Search
          enterButton={t('carrier.addHook')}
          placeholder="https://…"
          onSearch={(v) => v.trim() && addHook.mutate(v.trim())}
          style={{ maxWidth: 560 }}
        />
        <Table<Hook>
          className="block-gap"
          rowKey="id"
          size="small"
          dataSource={hooks.data ?? []}
          columns={[
            { title: 'URL', dataIndex: 'url' },
            { title: t('carrier.pending'), dataIndex: 'pending' },
            {
              title: t('carrier.failed'),
              key: 'failed',
              render: (_: unknown, h) => (
                <>
                  {h.failed}{' '}
                  {h.failingSince ? (
                    <Tag color="red">{t('carrier.failingSince', { at: formatDateTime(h.failingSince, locale) })}</Tag>
                  ) : null}
                </>
              ),
            },
            { title: t('carrier.lastError'), dataIndex: 'lastError' },
            {
              title: t('carrier.lastDelivered'),
              key: 'd',
              render: (_: unknown, h) => (h.lastDeliveredAt ? formatDateTime(h.lastDeliveredAt, locale) : '—'),
            },
            {
              title: '',
              key: 'rm',
              render: (_: unknown, h) => (
                <Button size="small" danger onClick={() => removeHook.mutate(h.id)}>
                  {t('carrier.remove')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <TrackingCsvCard />
      <ExportCard />
    </Page>
  );
}
