import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api.ts';
import { ImportErrorsTable } from '../components/ImportErrorsTable.tsx';
import { LoadError } from '../components/Page.tsx';

/** Labels of these cards (not in the shared catalogue): Chinese first, English second. */
const LABEL = {
  rulesTitle: { zh: '综试区无票免税规则（财税〔2018〕103号）版本', en: 'Pilot-zone no-invoice exemption rule versions' },
  effectiveFrom: { zh: '生效日期', en: 'Effective from' },
  jurisdiction: { zh: '适用海关', en: 'Jurisdiction' },
  jurisdictionHint: { zh: '关区或隶属海关代码，如 4000；全国留空', en: 'district or office, e.g. 4000; empty: national' },
  national: { zh: '全国', en: 'National' },
  enabled: { zh: '启用', en: 'Enabled' },
  zones: { zh: '综试区:海关', en: 'Zone:customs' },
  zonesHint: { zh: '如 3601:4000;3607:4003,4008', en: 'e.g. 3601:4000;3607:4003,4008' },
  note: { zh: '说明', en: 'Note' },
  current: { zh: '现行', en: 'In force' },
  save: { zh: '保存版本', en: 'Save version' },
  saved: { zh: '已保存', en: 'Saved' },
  ratesTitle: { zh: '出口退税率版本', en: 'Refund-rate versions' },
  version: { zh: '版本', en: 'Version' },
  source: { zh: '来源文件', en: 'Source' },
  rows: { zh: '条目', en: 'Rows' },
  excluded: { zh: '不予退(免)税', en: 'Excluded' },
  csv: { zh: 'CSV（列：hs,rate[,excluded]；rate为小数，如0.13）', en: 'CSV (hs,rate[,excluded]; rate as a fraction, 0.13)' },
  importRates: { zh: '导入退税率', en: 'Import rates' },
  imported: { zh: '已导入版本', en: 'Imported version' },
} as const;

function useLabel() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return { en, label: (k: keyof typeof LABEL) => (en ? LABEL[k].en : LABEL[k].zh) };
}

interface RuleVersion {
  /** the customs district or office whose own version it is; null: the national rule */
  jurisdiction: string | null;
  effectiveFrom: string;
  noInvoiceExemption: { enabled: boolean; pilotZones: { zone: string; customs: string[] }[] };
  note: string;
  current: boolean;
}

const zonesText = (zones: RuleVersion['noInvoiceExemption']['pilotZones']) =>
  zones.map((z) => `${z.zone}:${z.customs.join(',')}`).join(';');
const parseZones = (text: string) =>
  text
    .split(/[;；\n]/)
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [zone = '', customs = ''] = x.split(/[:：]/);
      return {
        zone: zone.trim(),
        customs: customs
          .split(/[,，\s]+/)
          .map((c) => c.trim())
          .filter(Boolean),
      };
    });

/** The versions of the 无票免税 rule, and a form to enter one (a version in force is not replaced). */
export function TaxRulesCard() {
  const { en, label } = useLabel();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['tax', 'rules'], queryFn: ({ signal }) => api<RuleVersion[]>('/tax/rules', { signal }) });
  const save = useMutation({
    mutationFn: (v: { effectiveFrom: string; jurisdiction?: string; enabled: boolean; zones: string; note?: string }) =>
      api<RuleVersion>(`/tax/rules/${encodeURIComponent(v.effectiveFrom)}`, {
        method: 'PUT',
        body: {
          jurisdiction: v.jurisdiction?.trim() || null,
          noInvoiceExemption: { enabled: v.enabled, pilotZones: parseZones(v.zones ?? '') },
          note: v.note ?? '',
        },
      }),
    onSuccess: () => {
      void message.success(label('saved'));
      void qc.invalidateQueries({ queryKey: ['tax'] });
    },
  });
  const errors = save.error instanceof ApiError ? save.error.errors : [];
  return (
    <Card size="small" title={label('rulesTitle')} style={{ marginBottom: 16 }} data-testid="tax-rules">
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<RuleVersion>
          size="small"
          rowKey={(r) => `${r.jurisdiction ?? ''}/${r.effectiveFrom}`}
          loading={q.isLoading}
          dataSource={q.data ?? []}
          pagination={false}
          data-testid="tax-rules-table"
          columns={[
            {
              title: label('jurisdiction'),
              render: (_, r) => (
                <span data-testid={`tax-rule-jurisdiction-${r.jurisdiction ?? 'national'}-${r.effectiveFrom}`}>
                  {r.jurisdiction ?? label('national')}
                </span>
              ),
            },
            {
              title: label('effectiveFrom'),
              render: (_, r) => (
                <Space>
                  {r.effectiveFrom}
                  {r.current ? <Tag color="green">{label('current')}</Tag> : null}
                </Space>
              ),
            },
            {
              title: label('enabled'),
              render: (_, r) => (
                <Tag color={r.noInvoiceExemption.enabled ? 'green' : 'red'}>{r.noInvoiceExemption.enabled ? '✓' : '✗'}</Tag>
              ),
            },
            { title: label('zones'), render: (_, r) => zonesText(r.noInvoiceExemption.pilotZones) || '—' },
            { title: label('note'), dataIndex: 'note' },
          ]}
        />
      )}
      <Form
        name="taxRuleVersion"
        layout="inline"
        style={{ marginTop: 12 }}
        initialValues={{ enabled: true, zones: '3601:4000' }}
        onFinish={(v: { effectiveFrom: string; jurisdiction?: string; enabled: boolean; zones: string; note?: string }) =>
          save.mutate(v)
        }
      >
        <Form.Item
          name="jurisdiction"
          label={label('jurisdiction')}
          rules={[{ pattern: /^\d{4}$/, message: label('jurisdictionHint') }]}
        >
          <Input
            style={{ width: 110 }}
            placeholder={label('jurisdictionHint')}
            title={label('jurisdictionHint')}
            data-testid="tax-rules-jurisdiction"
          />
        </Form.Item>
        <Form.Item
          name="effectiveFrom"
          label={label('effectiveFrom')}
          rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/ }]}
        >
          <Input style={{ width: 120 }} placeholder="2027-01-01" />
        </Form.Item>
        <Form.Item name="enabled" label={label('enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="zones" label={label('zones')}>
          <Input style={{ width: 240 }} placeholder={label('zonesHint')} />
        </Form.Item>
        <Form.Item name="note" label={label('note')}>
          <Input style={{ width: 200 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="tax-rules-save">
          {label('save')}
        </Button>
      </Form>
      {save.error ? (
        <Alert type="error" showIcon style={{ marginTop: 8 }} message={save.error.message} data-testid="tax-rules-error" />
      ) : null}
      <ImportErrorsTable
        rows={errors.map((e, i) => ({
          key: String(i),
          row: 0,
          field: e.field,
          rule: e.rule,
          message: en ? e.message.en : e.message.zh,
        }))}
        testId="tax-rules-errors"
      />
    </Card>
  );
}

interface RateVersion {
  version: string;
  effectiveFrom: string;
  source: string;
  rows: number;
  excluded: number;
  current: boolean;
}

/** The refund-rate versions, and the CSV import of a new one (all rows or none, each bad row named). */
export function TaxRatesCard() {
  const { en, label } = useLabel();
  const qc = useQueryClient();
  const [csv, setCsv] = useState('hs,rate,excluded\n');
  const q = useQuery({
    queryKey: ['tax', 'refund-rates'],
    queryFn: ({ signal }) => api<RateVersion[]>('/tax/refund-rates', { signal }),
  });
  const run = useMutation({
    mutationFn: (v: { version: string; effectiveFrom: string; source: string }) =>
      api<RateVersion>('/tax/refund-rates/import', { method: 'POST', body: { ...v, csv } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['tax'] }),
  });
  const errors = run.error instanceof ApiError ? run.error.errors : [];
  const rowOf = (field: string) => Number(/^rows\[(\d+)\]/.exec(field)?.[1] ?? 0);
  return (
    <Card size="small" title={label('ratesTitle')} style={{ marginBottom: 16 }} data-testid="tax-rates">
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<RateVersion>
          size="small"
          rowKey="version"
          loading={q.isLoading}
          dataSource={q.data ?? []}
          pagination={false}
          data-testid="tax-rates-table"
          columns={[
            {
              title: label('version'),
              render: (_, r) => (
                <Space>
                  {r.version}
                  {r.current ? <Tag color="green">{label('current')}</Tag> : null}
                </Space>
              ),
            },
            { title: label('effectiveFrom'), dataIndex: 'effectiveFrom' },
            { title: label('source'), dataIndex: 'source' },
            { title: label('rows'), dataIndex: 'rows' },
            { title: label('excluded'), dataIndex: 'excluded' },
          ]}
        />
      )}
      <Form
        name="taxRateImport"
        layout="inline"
        style={{ marginTop: 12 }}
        onFinish={(v: { version: string; effectiveFrom: string; source: string }) => run.mutate(v)}
      >
        <Form.Item name="version" label={label('version')} rules={[{ required: true }]}>
          <Input style={{ width: 110 }} placeholder="2027-01" />
        </Form.Item>
        <Form.Item
          name="effectiveFrom"
          label={label('effectiveFrom')}
          rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/ }]}
        >
          <Input style={{ width: 120 }} placeholder="2027-01-01" />
        </Form.Item>
        <Form.Item name="source" label={label('source')} rules={[{ required: true }]}>
          <Input style={{ width: 220 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={run.isPending} data-testid="tax-rates-import">
          {label('importRates')}
        </Button>
      </Form>
      <Input.TextArea
        rows={5}
        style={{ marginTop: 8 }}
        value={csv}
        onChange={(e) => setCsv(e.target.value)}
        placeholder={label('csv')}
        aria-label={label('csv')}
        data-testid="tax-rates-csv"
      />
      {run.data ? (
        <Alert
          type="success"
          showIcon
          style={{ marginTop: 8 }}
          message={`${label('imported')} ${run.data.version}: ${run.data.rows}`}
          data-testid="tax-rates-result"
        />
      ) : null}
      {run.error ? <Alert type="error" showIcon style={{ marginTop: 8 }} message={run.error.message} /> : null}
      <ImportErrorsTable
        rows={errors.map((e, i) => ({
          key: String(i),
          row: rowOf(e.field),
          field: e.field,
          rule: e.rule,
          message: en ? e.message.en : e.message.zh,
        }))}
        testId="tax-rates-errors"
      />
    </Card>
  );
}
