import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { StatsChart } from './StatsChart.tsx';
import { SummaryLineageDrawer, type LineageTarget } from './SummaryLineageDrawer.tsx';
import { SummaryReminders, type DeadlineReminders } from './SummaryReminders.tsx';

interface Line {
  lineNo: number;
  gcode: string;
  gname: string;
  country: string;
  currency: string;
  unit: string;
  qty: string;
  totalPrice: string;
  sourceCount: number;
}
interface Declaration {
  id: string | null;
  seq: number;
  entryId: string | null;
  customsCode: string;
  key: Record<string, string>;
  grossWeight: string;
  inventoryCount: number;
  lines: Line[];
}
interface Preview {
  period: string;
  ruleSet: { id: string; source: string };
  summaryFlag: '1' | '2';
  itemNameFlag: '1' | '';
  deadline: string;
  inventoryCount: number;
  resultHash: string;
  declarations: Declaration[];
  statistics: { currency: string; inventories: number; value: string }[];
}
interface Application extends Preview {
  id: string;
  sumNo: string;
  submittedAt: string;
}
interface Deadline extends DeadlineReminders {
  deadlineProvisional: boolean;
  applications: number;
  submitted: boolean;
}
interface RuleSet {
  id: string;
  source: string;
  defaultSummaryFlag: '1' | '2';
}
/** CEB amounts have up to 5 decimals (N19,5): summed as scaled integers, not floats. */
const SCALE = 100000n;
function toScaled(v: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(v.trim());
  if (!m) return 0n;
  const n = BigInt(m[2] || '0') * SCALE + BigInt((m[3] ?? '').padEnd(5, '0').slice(0, 5) || '0');
  return m[1] ? -n : n;
}
/** A bar's height: the exact sum, turned into a number only to be drawn. */
const fromScaled = (n: bigint): number => Number(n) / Number(SCALE);

/** What a preview was asked with: the submit sends the same, with the preview's resultHash. */
interface SummaryRequest {
  period: string;
  ruleSetId?: string;
  summaryFlag?: '1' | '2';
  itemNameFlag: '1' | '';
}

function lastMonth(): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

/** 汇总申报: deadlines, preview and submit of a month, submitted summaries with evidence packs. */
export default function SummaryPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [period, setPeriod] = useState(lastMonth());
  const [ruleSetId, setRuleSetId] = useState<string>('');
  const [summaryFlag, setSummaryFlag] = useState<'' | '1' | '2'>('');
  const [itemNameFlag, setItemNameFlag] = useState<'1' | ''>('');
  const [preview, setPreview] = useState<{ request: SummaryRequest; result: Preview } | null>(null);
  const [lineage, setLineage] = useState<LineageTarget | null>(null);
  const ruleSets = useQuery({
    queryKey: ['summary-rule-sets'],
    queryFn: ({ signal }) => api<RuleSet[]>('/summary/rule-sets', { signal }),
  });
  // a changed choice makes the preview stale: it must be previewed again before a submit
  const choose =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPreview(null);
    };
  const request = (): SummaryRequest => ({
    period,
    ...(ruleSetId ? { ruleSetId } : {}),
    ...(summaryFlag ? { summaryFlag } : {}),
    itemNameFlag,
  });
  const deadlines = useQuery({
    queryKey: ['summary-deadlines'],
    queryFn: ({ signal }) => api<Deadline[]>('/summary/deadlines', { signal }),
  });
  const apps = useQuery({
    queryKey: ['summary-apps'],
    queryFn: ({ signal }) => api<Application[]>('/summary/applications', { signal }),
  });
  const doPreview = useMutation({
    mutationFn: async () => {
      const req = request();
      return { request: req, result: await api<Preview>('/summary/preview', { method: 'POST', body: req }) };
    },
    onSuccess: setPreview,
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const doSubmit = useMutation({
    // exactly what was previewed: the server refuses (409) when the result differs now
    mutationFn: (p: { request: SummaryRequest; result: Preview }) =>
      api<Application>('/summary/applications', {
        method: 'POST',
        body: { ...p.request, resultHash: p.result.resultHash },
      }),
    onSuccess: () => {
      void message.success(t('sumx.submittedOk'));
      setPreview(null);
      void qc.invalidateQueries({ queryKey: ['summary-apps'] });
      void qc.invalidateQueries({ queryKey: ['summary-deadlines'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  // Currency is part of the line key: a declaration's value is one sum per currency, one series
  // per currency, never added across currencies (nor stacked, which would add them visually).
  const chart = useMemo(() => {
    const ds = preview?.result.declarations ?? apps.data?.[0]?.declarations ?? [];
    const currencies = [...new Set(ds.flatMap((d) => d.lines.map((l) => l.currency)))].sort();
    return {
      tooltip: { trigger: 'axis' },
      legend: { data: currencies.map((c) => `${t('sumx.value')} ${c}`) },
      xAxis: { type: 'category', data: ds.map((d) => d.entryId ?? `#${d.seq}`) },
      yAxis: { type: 'value' },
      series: currencies.map((c) => ({
        type: 'bar',
        name: `${t('sumx.value')} ${c}`,
        data: ds.map((d) => {
          const lines = d.lines.filter((l) => l.currency === c);
          return lines.length ? fromScaled(lines.reduce((a, l) => a + toScaled(l.totalPrice), 0n)) : null;
        }),
      })),
    };
  }, [preview, apps.data, t]);

  // test ids: the first application of a month is `summary-app-<period>`, later ones get -2, -3 …
  const lineColumns = (applicationId: string | null, suffix: string, d: Declaration) => [
    { title: '#', dataIndex: 'lineNo' },
    { title: t('sumx.hs'), dataIndex: 'gcode' },
    { title: t('sumx.country'), dataIndex: 'country' },
    { title: t('sumx.currency'), dataIndex: 'currency' },
    { title: t('sumx.qty'), dataIndex: 'qty' },
    { title: t('sumx.unit'), dataIndex: 'unit' },
    { title: t('sumx.value'), dataIndex: 'totalPrice' },
    {
      title: t('sumx.inventories'),
      dataIndex: 'sourceCount',
      // a submitted declaration line opens the inventory lines it was formed from
      render: (n: number, l: Line) =>
        applicationId && d.id ? (
          <Button
            type="link"
            size="small"
            data-testid={`summary-lineage${suffix}-${d.seq}-${l.lineNo}`}
            onClick={() =>
              setLineage({
                applicationId,
                declarationId: d.id!,
                declaration: d.entryId ?? `#${d.seq}`,
                lineNo: l.lineNo,
              })
            }
          >
            {n} · {t('sumx.sources')}
          </Button>
        ) : (
          n
        ),
    },
  ];
  const declTable = (ds: Declaration[], testId: string, applicationId: string | null, suffix = '') => (
    <Table<Declaration>
      size="small"
      rowKey={(d) => d.id ?? String(d.seq)}
      dataSource={ds}
      pagination={false}
      data-testid={testId}
      expandable={{
        expandedRowRender: (d) => (
          <Table<Line>
            size="small"
            rowKey="lineNo"
            dataSource={d.lines}
            columns={lineColumns(applicationId, suffix, d)}
            pagination={false}
          />
        ),
      }}
      columns={[
        { title: t('sumx.declarations'), render: (_, d) => d.entryId ?? `#${d.seq}` },
        { title: t('sumx.customsCode'), dataIndex: 'customsCode' },
        { title: 'key', render: (_, d) => Object.values(d.key).join(' / ') },
        { title: t('sumx.inventories'), dataIndex: 'inventoryCount' },
        { title: t('sumx.weight'), dataIndex: 'grossWeight' },
        ...(applicationId
          ? [
              {
                title: t('sumx.evidence'),
                render: (_: unknown, d: Declaration) => (
                  <Space>
                    <a href={`/api/v1/evidence/declarations/${d.id}`} data-testid={`evidence-json${suffix}-${d.seq}`}>
                      JSON
                    </a>
                    <a href={`/api/v1/evidence/declarations/${d.id}/pdf`} data-testid={`evidence-pdf${suffix}-${d.seq}`}>
                      PDF
                    </a>
                  </Space>
                ),
              },
            ]
          : []),
      ]}
    />
  );

  return (
    <Page title={t('sumx.title')} testId="summary-title">
      <Card size="small" title={t('sumx.deadlines')} style={{ marginBottom: 16 }}>
        {deadlines.error ? (
          <LoadError error={deadlines.error} />
        ) : (
          <>
            <SummaryReminders months={deadlines.data ?? []} />
            <Table<Deadline>
              size="small"
              rowKey="period"
              dataSource={deadlines.data ?? []}
              pagination={false}
              columns={[
                { title: t('sumx.period'), dataIndex: 'period' },
                {
                  title: t('sumx.deadline'),
                  dataIndex: 'deadline',
                  render: (d: string, r: Deadline) =>
                    r.deadlineProvisional ? (
                      <Tooltip title={t('sumx.provisionalHint')}>
                        {d} <Tag data-testid={`deadline-provisional-${r.period}`}>{t('sumx.provisional')}</Tag>
                      </Tooltip>
                    ) : (
                      d
                    ),
                },
                { title: t('sumx.pending'), dataIndex: 'pendingInventories' },
                {
                  title: t('sumx.status'),
                  render: (_, d) =>
                    d.submitted ? (
                      <Tag color="green">{t('sumx.submitted')}</Tag>
                    ) : d.overdue ? (
                      <Tag color="red">{t('sumx.overdue')}</Tag>
                    ) : d.applications > 0 ? (
                      <Tag color="blue">{t('sumx.partial')}</Tag>
                    ) : null,
                },
              ]}
            />
          </>
        )}
      </Card>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space>
          <Input
            value={period}
            onChange={(e) => choose(setPeriod)(e.target.value)}
            style={{ width: 120 }}
            data-testid="summary-period"
          />
          <Select<string>
            value={ruleSetId}
            onChange={choose(setRuleSetId)}
            style={{ width: 240 }}
            aria-label={t('sumx.ruleSet')}
            data-testid="summary-rule-set"
            options={[
              { value: '', label: t('sumx.ruleSetAuto') },
              ...(ruleSets.data ?? []).map((r) => ({ value: r.id, label: r.source })),
            ]}
          />
          <Select<'' | '1' | '2'>
            value={summaryFlag}
            onChange={choose(setSummaryFlag)}
            style={{ width: 220 }}
            aria-label={t('sumx.summaryFlag')}
            data-testid="summary-flag"
            options={[
              { value: '', label: `${t('sumx.summaryFlag')}: ${t('sumx.ruleSetAuto')}` },
              { value: '1', label: t('sumx.summaryFlag1') },
              { value: '2', label: t('sumx.summaryFlag2') },
            ]}
          />
          <Select<'1' | ''>
            value={itemNameFlag}
            onChange={choose(setItemNameFlag)}
            style={{ width: 180 }}
            aria-label={t('sumx.itemNameFlag')}
            data-testid="summary-item-name-flag"
            options={[
              { value: '', label: t('sumx.itemNameHs') },
              { value: '1', label: t('sumx.itemNameOwn') },
            ]}
          />
          <Button onClick={() => doPreview.mutate()} loading={doPreview.isPending} data-testid="summary-preview">
            {t('sumx.preview')}
          </Button>
          <Button
            type="primary"
            disabled={!preview}
            onClick={() => preview && doSubmit.mutate(preview)}
            loading={doSubmit.isPending}
            data-testid="summary-submit"
          >
            {t('sumx.submit')}
          </Button>
        </Space>
        {preview ? (
          <div style={{ marginTop: 12 }} data-testid="summary-preview-result">
            <p>
              {t('sumx.ruleSet')}: {preview.result.ruleSet.source} ·{' '}
              {t(preview.result.summaryFlag === '1' ? 'sumx.summaryFlag1' : 'sumx.summaryFlag2')} ·{' '}
              {t(preview.result.itemNameFlag === '1' ? 'sumx.itemNameOwn' : 'sumx.itemNameHs')} · {t('sumx.deadline')}:{' '}
              {preview.result.deadline} · {t('sumx.inventories')}: {preview.result.inventoryCount}
            </p>
            {declTable(preview.result.declarations, 'summary-preview-table', null)}
            {preview.result.statistics.length ? (
              <p>
                {t('sumx.statistics')}:{' '}
                {preview.result.statistics.map((s) => `${s.inventories} (${s.currency} ${s.value})`).join(', ')}
              </p>
            ) : null}
            <Typography.Text type="secondary" copyable={{ text: preview.result.resultHash }} data-testid="summary-result-hash">
              {t('sumx.resultHash')}: {preview.result.resultHash.slice(0, 16)}…
            </Typography.Text>
          </div>
        ) : null}
      </Card>
      <StatsChart option={chart} height={240} />
      <Card size="small" title={t('sumx.applications')} style={{ marginTop: 16 }}>
        {apps.error ? (
          <LoadError error={apps.error} />
        ) : (
          (apps.data ?? []).map((a, i, all) => {
            const nth = all.slice(0, i).filter((x) => x.period === a.period).length;
            const suffix = nth ? `-${nth + 1}` : '';
            return (
              <div key={a.id} style={{ marginBottom: 12 }}>
                <p>
                  <b>{a.period}</b> · {a.sumNo} · {a.ruleSet.source}
                </p>
                {declTable(a.declarations, `summary-app-${a.period}${suffix}`, a.id, suffix)}
              </div>
            );
          })
        )}
      </Card>
      <SummaryLineageDrawer target={lineage} onClose={() => setLineage(null)} />
    </Page>
  );
}
