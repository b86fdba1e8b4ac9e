import { EditOutlined, ExperimentOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
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
}

interface DryRun {
  days: number;
  inventories: number;
  hits: number;
  examples: { inventoryId: string; logisticsNo: string | null; detailZh: string; detailEn: string }[];
}

interface FormValues {
  effectiveFrom: string;
  lane: string;
  enabled: boolean;
  params: string;
  explainZh: string;
  explainEn: string;
}

export const LANE_COLOR: Record<string, string> = { green: 'green', review: 'orange', inspect: 'volcano', hold: 'red' };
const LANES = ['green', 'review', 'inspect', 'hold'] as const;

/** Customs edits a rule as a new version, and may first dry-run it against last month's inventories. */
export default function RiskRulesPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<RiskRule | null>(null);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [form] = Form.useForm<FormValues>();
  const rules = useQuery({ queryKey: ['risk', 'rules'], queryFn: () => api<{ items: RiskRule[] }>('/risk/rules') });

  const body = (v: FormValues) => {
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(v.params) as Record<string, unknown>;
    } catch {
      throw new Error(t('risk.paramsInvalid'));
    }
    return {
      id: editing!.id,
      kind: editing!.kind,
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

  const open = (r: RiskRule) => {
    setDry(null);
    dryRun.reset();
    save.reset();
    setEditing(r);
    form.setFieldsValue({
      effectiveFrom: new Date().toISOString().slice(0, 10),
      lane: r.lane,
      enabled: r.enabled,
      params: JSON.stringify(r.params, null, 2),
      explainZh: r.explainZh,
      explainEn: r.explainEn,
    });
  };

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
      width: 100,
      render: (_: unknown, r) => (
        <Button icon={<EditOutlined />} onClick={() => open(r)} data-testid={`rule-edit-${r.id}`}>
          {t('risk.edit')}
        </Button>
      ),
    },
  ];

  const failure = dryRun.error ?? save.error;
  return (
    <Page title={t('risk.rulesTitle')} testId="risk-rules-title">
      {rules.error ? (
        <LoadError error={rules.error} onRetry={() => void rules.refetch()} />
      ) : (
        <Table<RiskRule>
          rowKey={(r) => `${r.id}@${r.version}`}
          loading={rules.isLoading}
          columns={columns}
          dataSource={(rules.data?.items ?? []).filter(
            (r) => r.inForce || !rules.data?.items.some((x) => x.id === r.id && x.inForce),
          )}
          pagination={false}
          size="small"
        />
      )}
      <Modal
        open={editing !== null}
        title={editing ? `${editing.id} · ${editing.kind}` : ''}
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
            description={dry.examples
              .slice(0, 5)
              .map((e) => `${e.logisticsNo ?? e.inventoryId}: ${locale === 'en' ? e.detailEn : e.detailZh}`)
              .join('；')}
          />
        ) : null}
        <Form form={form} layout="vertical">
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
          <Form.Item name="params" label={t('risk.params')} rules={[{ required: true }]}>
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
    </Page>
  );
}
