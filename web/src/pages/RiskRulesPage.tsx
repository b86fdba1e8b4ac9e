import { EditOutlined, ExperimentOutlined, HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

export interface RiskRule {
  id: string;
  version: number;
  effectiveFrom: string;
  kind: string;
  lane: 'green' | 'review' | 'inspect' | 'hold';
  params: Record<string, unknown>;
  explainZh: string;
  explainEn: string;
  enabled: boolean;
  inForce: boolean;
  createdAt: string;
}

interface DryRun {
  days: number;
  /** the replayed period: every decision between is replayed */
  from: string;
  to: string;
  inventories: number;
  hits: number;
  examples: { inventoryId: string; logisticsNo: string | null; detailZh: string; detailEn: string }[];
}

interface FormValues {
  /** a new rule only: an edit keeps the rule's id and kind */
  id?: string;
  kind?: string;
  effectiveFrom: string;
  lane: string;
  enabled: boolean;
  params: string;
  explainZh: string;
  explainEn: string;
}

export const LANE_COLOR: Record<string, string> = { green: 'green', review: 'orange', inspect: 'volcano', hold: 'red' };
const LANES = ['green', 'review', 'inspect', 'hold'] as const;

/** The rule kinds (the server's RULE_KINDS), each with sample parameters a new rule starts from. */
const KIND_PARAMS: Record<string, Record<string, unknown>> = {
  parcel_limit: { maxValue: '50000' },
  undervaluation: { minRatio: 0.3, medianMinSamples: 20 },
  hs_list: { hsPrefixes: ['9301'] },
  destination_list: { countries: ['133'] },
  vague_description: { words: ['gift', '礼品'] },
  split_shipment: { windowHours: 24, minCount: 20, maxValue: '5000', keyFields: ['buyer', 'ebcCode', 'country', 'POD'] },
  credit_sampling: { seed: '2026', ratesPct: { AA: 0, A: 0.5, B: 2, C: 10 } },
  first_time_exporter: {},
  quarantine: {},
  quarantine_sampling: { categories: ['fresh_fruit'], samplePercent: 5, seed: '2026' },
};
const KINDS = Object.keys(KIND_PARAMS);

/** Today in Beijing (UTC+8): rule effective dates are Beijing days, whatever the browser's zone. */
const beijingToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The parameters as typed: a JSON object, or the message to show. */
function parseParams(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type Editing = { mode: 'edit'; rule: RiskRule } | { mode: 'new' };

/**
 * Customs edits a rule as a new version or creates one, and may first dry-run it against last
 * month's inventories; every version of a rule stays and is shown in its history.
 */
export default function RiskRulesPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [form] = Form.useForm<FormValues>();
  const rules = useQuery({ queryKey: ['risk', 'rules'], queryFn: () => api<{ items: RiskRule[] }>('/risk/rules') });

  const body = (v: FormValues) => {
    const params = parseParams(v.params);
    if (!params) throw new Error(t('risk.paramsInvalid'));
    return {
      id: editing?.mode === 'edit' ? editing.rule.id : (v.id ?? '').trim(),
      kind: editing?.mode === 'edit' ? editing.rule.kind : (v.kind ?? ''),
      effectiveFrom: v.effectiveFrom,
      lane: v.lane,
      enabled: v.enabled,
      params,
      explainZh: v.explainZh,
      explainEn: v.explainEn,
    };
  };
  const dryRun = useMutation({
    mutationFn: (v: FormValues) => api<DryRun>('/risk/rules/dry-run', { method: 'POST', body: body(v) }),
    onSuccess: (r) => setDry(r),
  });
  const save = useMutation({
    mutationFn: (v: FormValues) => api<RiskRule>('/risk/rules', { method: 'POST', body: body(v) }),
    onSuccess: async (r) => {
      void message.success(t('risk.saved', { id: r.id, version: r.version }));
      setEditing(null);
      await queryClient.invalidateQueries({ queryKey: ['risk'] });
    },
  });

  const reset = () => {
    setDry(null);
    dryRun.reset();
    save.reset();
    form.resetFields();
  };
  const open = (r: RiskRule) => {
    reset();
    setEditing({ mode: 'edit', rule: r });
    form.setFieldsValue({
      effectiveFrom: beijingToday(),
      lane: r.lane,
      enabled: r.enabled,
      params: JSON.stringify(r.params, null, 2),
      explainZh: r.explainZh,
      explainEn: r.explainEn,
    });
  };
  const create = () => {
    reset();
    setEditing({ mode: 'new' });
    form.setFieldsValue({
      id: '',
      kind: undefined,
      effectiveFrom: beijingToday(),
      lane: 'review',
      enabled: true,
      params: '{}',
      explainZh: '',
      explainEn: '',
    });
  };
  const all = rules.data?.items ?? [];
  const versions = all.filter((r) => r.id === historyOf).sort((a, b) => b.version - a.version);

  const columns: TableColumnsType<RiskRule> = [
    {
      title: t('risk.rule'),
      dataIndex: 'id',
      key: 'id',
      width: 170,
      render: (id: string) => <Typography.Text code>{id}</Typography.Text>,
    },
    { title: t('risk.kind'), dataIndex: 'kind', key: 'kind', width: 170 },
    {
      title: t('risk.lane'),
      dataIndex: 'lane',
      key: 'lane',
      width: 110,
      render: (lane: string, r) => (
        <Tag color={LANE_COLOR[lane]} data-testid={`rule-lane-${r.id}`}>
          {t(`risk.lanes.${lane as (typeof LANES)[number]}`)}
        </Tag>
      ),
    },
    { title: t('risk.version'), dataIndex: 'version', key: 'version', width: 80 },
    { title: t('risk.effectiveFrom'), dataIndex: 'effectiveFrom', key: 'effectiveFrom', width: 120 },
    { title: t('risk.enabled'), dataIndex: 'enabled', key: 'enabled', width: 80, render: (on: boolean) => (on ? '✓' : '—') },
    { title: t('risk.explainZh'), key: 'explain', render: (_: unknown, r) => (locale === 'en' ? r.explainEn : r.explainZh) },
    {
      title: '',
      key: 'actions',
      width: 200,
      render: (_: unknown, r) => (
        <Space size="small">
          <Button icon={<EditOutlined />} onClick={() => open(r)} data-testid={`rule-edit-${r.id}`}>
            {t('risk.edit')}
          </Button>
          <Button icon={<HistoryOutlined />} onClick={() => setHistoryOf(r.id)} data-testid={`rule-history-${r.id}`}>
            {t('risk.history')}
          </Button>
        </Space>
      ),
    },
  ];

  const historyColumns: TableColumnsType<RiskRule> = [
    {
      title: t('risk.version'),
      dataIndex: 'version',
      key: 'version',
      width: 90,
      render: (v: number, r) => (
        <Space size={4}>
          {v}
          {r.inForce ? <Tag color="blue">{t('risk.inForce')}</Tag> : null}
        </Space>
      ),
    },
    { title: t('risk.effectiveFrom'), dataIndex: 'effectiveFrom', key: 'effectiveFrom', width: 110 },
    {
      title: t('risk.lane'),
      dataIndex: 'lane',
      key: 'lane',
      width: 90,
      render: (lane: RiskRule['lane']) => <Tag color={LANE_COLOR[lane]}>{t(`risk.lanes.${lane}`)}</Tag>,
    },
    { title: t('risk.enabled'), dataIndex: 'enabled', key: 'enabled', width: 70, render: (on: boolean) => (on ? '✓' : '—') },
    {
      title: t('risk.params'),
      dataIndex: 'params',
      key: 'params',
      render: (p: Record<string, unknown>) => <Typography.Text code>{JSON.stringify(p)}</Typography.Text>,
    },
    { title: t('risk.explainZh'), key: 'explain', render: (_: unknown, r) => (locale === 'en' ? r.explainEn : r.explainZh) },
    {
      title: t('risk.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      width: 150,
      render: (v: string) => formatDateTime(v, locale),
    },
  ];

  const failure = dryRun.error ?? save.error;
  return (
    <Page
      title={t('risk.rulesTitle')}
      testId="risk-rules-title"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={create} data-testid="rule-new">
          {t('risk.newRule')}
        </Button>
      }
    >
      {rules.error ? (
        <LoadError error={rules.error} onRetry={() => void rules.refetch()} />
      ) : (
        <Table<RiskRule>
          rowKey={(r) => `${r.id}@${r.version}`}
          loading={rules.isLoading}
          columns={columns}
          // Per rule, the version in force; a rule with none in force (not yet effective, switched
          // off) shows its latest version. Every version is in the rule's history.
          dataSource={all.filter(
            (r) =>
              r.inForce ||
              (!all.some((x) => x.id === r.id && x.inForce) && !all.some((x) => x.id === r.id && x.version > r.version)),
          )}
          pagination={false}
          size="small"
        />
      )}
      <Modal
        open={editing !== null}
        title={editing?.mode === 'edit' ? `${editing.rule.id} · ${editing.rule.kind}` : t('risk.newRule')}
        width={720}
        onCancel={() => setEditing(null)}
        footer={
          <Space>
            <Button
              icon={<ExperimentOutlined />}
              loading={dryRun.isPending}
              onClick={() => void form.validateFields().then((v) => dryRun.mutate(v))}
              data-testid="rule-dry-run"
            >
              {t('risk.dryRun')}
            </Button>
            <Button
              type="primary"
              loading={save.isPending}
              onClick={() => void form.validateFields().then((v) => save.mutate(v))}
              data-testid="rule-save"
            >
              {t('risk.save')}
            </Button>
          </Space>
        }
      >
        {failure ? (
          <Alert type="error" showIcon className="block-gap" title={errorMessage(failure, locale)} data-testid="rule-error" />
        ) : null}
        {dry ? (
          <Alert
            type="info"
            showIcon
            className="block-gap"
            data-testid="rule-dry-run-result"
            title={t('risk.dryRunResult', { days: dry.days, inventories: dry.inventories, hits: dry.hits })}
            description={
              <>
                <div data-testid="rule-dry-run-period">
                  {t('risk.dryRunPeriod', { from: formatDateTime(dry.from, locale), to: formatDateTime(dry.to, locale) })}
                </div>
                {dry.examples
                  .slice(0, 5)
                  .map((e) => `${e.logisticsNo ?? e.inventoryId}: ${locale === 'en' ? e.detailEn : e.detailZh}`)
                  .join('；')}
              </>
            }
          />
        ) : null}
        <Form form={form} layout="vertical">
          {editing?.mode === 'new' ? (
            <Space align="start">
              <Form.Item
                name="id"
                label={t('risk.ruleId')}
                extra={t('risk.ruleIdHint')}
                rules={[{ required: true, pattern: /^[A-Z0-9][A-Z0-9-]{1,39}$/, message: t('risk.ruleIdHint') }]}
              >
                <Input style={{ width: 240 }} data-testid="rule-id" />
              </Form.Item>
              <Form.Item name="kind" label={t('risk.kind')} extra={t('risk.kindHint')} rules={[{ required: true }]}>
                <Select
                  style={{ width: 240 }}
                  virtual={false}
                  data-testid="rule-kind"
                  options={KINDS.map((k) => ({ value: k, label: k }))}
                  onChange={(k: string) => form.setFieldValue('params', JSON.stringify(KIND_PARAMS[k] ?? {}, null, 2))}
                />
              </Form.Item>
            </Space>
          ) : null}
          <Space>
            <Form.Item name="effectiveFrom" label={t('risk.effectiveFrom')} rules={[{ required: true }]}>
              <Input data-testid="rule-effective-from" />
            </Form.Item>
            <Form.Item name="lane" label={t('risk.lane')} rules={[{ required: true }]}>
              <Select
                style={{ width: 160 }}
                data-testid="rule-lane"
                options={LANES.map((l) => ({ value: l, label: t(`risk.lanes.${l}`) }))}
              />
            </Form.Item>
            <Form.Item name="enabled" label={t('risk.enabled')} valuePropName="checked">
              <Switch data-testid="rule-enabled" />
            </Form.Item>
          </Space>
          <Form.Item
            name="params"
            label={t('risk.params')}
            rules={[
              { required: true },
              {
                validator: (_, v: string | undefined) =>
                  v === undefined || parseParams(v) ? Promise.resolve() : Promise.reject(new Error(t('risk.paramsInvalid'))),
              },
            ]}
          >
            <Input.TextArea rows={6} className="mono" data-testid="rule-params" />
          </Form.Item>
          <Form.Item name="explainZh" label={t('risk.explainZh')} rules={[{ required: true }]}>
            <Input data-testid="rule-explain-zh" />
          </Form.Item>
          <Form.Item name="explainEn" label={t('risk.explainEn')} rules={[{ required: true }]}>
            <Input data-testid="rule-explain-en" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={historyOf !== null}
        title={t('risk.historyTitle', { id: historyOf ?? '' })}
        width={1000}
        footer={null}
        onCancel={() => setHistoryOf(null)}
      >
        <div data-testid="rule-history-table">
          <Table<RiskRule>
            rowKey={(r) => `${r.id}@${r.version}`}
            columns={historyColumns}
            dataSource={versions}
            pagination={false}
            size="small"
            onRow={(r) => ({ 'data-testid': `rule-version-${r.id}-${r.version}` }) as HTMLAttributes<HTMLElement>}
          />
        </div>
      </Modal>
    </Page>
  );
}
