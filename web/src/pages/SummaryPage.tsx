import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Input, Space, Table, Tag, Tooltip } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { StatsChart } from './StatsChart.tsx';

interface Line {
  lineNo: number;
  gcode: string;
  gname: string;
  country: string;
  currency: string;
  qty: string;
  totalPrice: string;
  sourceCount: number;
}
interface Declaration {
  id: string | null;
  seq: number;
  entryId: string | null;
  key: Record<string, string>;
  grossWeight: string;
  inventoryCount: number;
  lines: Line[];
}
interface Preview {
  period: string;
  ruleSet: { id: string; source: string };
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
interface Deadline {
  period: string;
  deadline: string;
  deadlineProvisional: boolean;
  pendingInventories: number;
  submitted: boolean;
  overdue: boolean;
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
  const [preview, setPreview] = useState<Preview | null>(null);
  const deadlines = useQuery({
    queryKey: ['summary-deadlines'],
    queryFn: ({ signal }) => api<Deadline[]>('/summary/deadlines', { signal }),
  });
  const apps = useQuery({
    queryKey: ['summary-apps'],
    queryFn: ({ signal }) => api<Application[]>('/summary/applications', { signal }),
  });
  const doPreview = useMutation({
    mutationFn: () => api<Preview>('/summary/preview', { method: 'POST', body: { period } }),
    onSuccess: setPreview,
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const doSubmit = useMutation({
    mutationFn: () => api<Application>('/summary/applications', { method: 'POST', body: { period } }),
    onSuccess: () => {
      void message.success(t('sumx.submittedOk'));
      setPreview(null);
      void qc.invalidateQueries({ queryKey: ['summary-apps'] });
      void qc.invalidateQueries({ queryKey: ['summary-deadlines'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const chart = useMemo(() => {
    const ds = preview?.declarations ?? apps.data?.[0]?.declarations ?? [];
    return {
      tooltip: {},
      xAxis: { type: 'category', data: ds.map((d) => d.entryId ?? `#${d.seq}`) },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('sumx.value'), data: ds.map((d) => d.lines.reduce((a, l) => a + Number(l.totalPrice), 0)) },
      ],
    };
  }, [preview, apps.data, t]);

  const lineColumns = [
    { title: '#', dataIndex: 'lineNo' },
    { title: t('sumx.hs'), dataIndex: 'gcode' },
    { title: t('sumx.country'), dataIndex: 'country' },
    { title: t('sumx.currency'), dataIndex: 'currency' },
    { title: t('sumx.qty'), dataIndex: 'qty' },
    { title: t('sumx.value'), dataIndex: 'totalPrice' },
    { title: t('sumx.inventories'), dataIndex: 'sourceCount' },
  ];
  const declTable = (ds: Declaration[], testId: string, evidence: boolean) => (
    <Table<Declaration>
      size="small"
      rowKey={(d) => d.id ?? String(d.seq)}
      dataSource={ds}
      pagination={false}
      data-testid={testId}
      expandable={{
        expandedRowRender: (d) => (
          <Table<Line> size="small" rowKey="lineNo" dataSource={d.lines} columns={lineColumns} pagination={false} />
        ),
      }}
      columns={[
        { title: t('sumx.declarations'), render: (_, d) => d.entryId ?? `#${d.seq}` },
        { title: 'key', render: (_, d) => Object.values(d.key).join(' / ') },
        { title: t('sumx.inventories'), dataIndex: 'inventoryCount' },
        { title: t('sumx.weight'), dataIndex: 'grossWeight' },
        ...(evidence
          ? [
              {
                title: t('sumx.evidence'),
                render: (_: unknown, d: Declaration) => (
                  <Space>
                    <a href={`/api/v1/evidence/declarations/${d.id}`} data-testid={`evidence-json-${d.seq}`}>
                      JSON
                    </a>
                    <a href={`/api/v1/evidence/declarations/${d.id}/pdf`} data-testid={`evidence-pdf-${d.seq}`}>
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
                  ) : null,
              },
            ]}
          />
        )}
      </Card>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space>
          <Input value={period} onChange={(e) => setPeriod(e.target.value)} style={{ width: 120 }} data-testid="summary-period" />
          <Button onClick={() => doPreview.mutate()} loading={doPreview.isPending} data-testid="summary-preview">
            {t('sumx.preview')}
          </Button>
          <Button
            type="primary"
            disabled={!preview}
            onClick={() => doSubmit.mutate()}
            loading={doSubmit.isPending}
            data-testid="summary-submit"
          >
            {t('sumx.submit')}
          </Button>
        </Space>
        {preview ? (
          <div style={{ marginTop: 12 }} data-testid="summary-preview-result">
            <p>
              {t('sumx.ruleSet')}: {preview.ruleSet.source} · {t('sumx.deadline')}: {preview.deadline} · {t('sumx.inventories')}:{' '}
              {preview.inventoryCount}
            </p>
            {declTable(preview.declarations, 'summary-preview-table', false)}
            {preview.statistics.length ? (
              <p>
                {t('sumx.statistics')}: {preview.statistics.map((s) => `${s.inventories} (${s.currency} ${s.value})`).join(', ')}
              </p>
            ) : null}
          </div>
        ) : null}
      </Card>
      <StatsChart option={chart} height={240} />
      <Card size="small" title={t('sumx.applications')} style={{ marginTop: 16 }}>
        {apps.error ? (
          <LoadError error={apps.error} />
        ) : (
          (apps.data ?? []).map((a) => (
            <div key={a.id} style={{ marginBottom: 12 }}>
              <p>
                <b>{a.period}</b> · {a.sumNo} · {a.ruleSet.source}
              </p>
              {declTable(a.declarations, `summary-app-${a.period}`, true)}
            </div>
          ))
        )}
      </Card>
    </Page>
  );
}
