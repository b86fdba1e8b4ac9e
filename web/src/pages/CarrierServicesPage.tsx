import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Select, Switch, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
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
  lastError: string | null;
  lastDeliveredAt: string | null;
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
    </Page>
  );
}
