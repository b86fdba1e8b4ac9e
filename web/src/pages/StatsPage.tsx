import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Input, Row, Segmented, Select, Space, Statistic, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { StatsChart } from './StatsChart.tsx';

interface StatsRow {
  key: string;
  label: string;
  inventories: number;
  valueCny: string;
  valueUsd: string;
  grossWeightKg: string;
}
interface StatsTable {
  by: string;
  from: string;
  to: string;
  scope: string;
  rows: StatsRow[];
  totals: StatsRow;
}

const DIMENSIONS = [
  'month',
  'week',
  'day',
  'mode',
  'country',
  'hs_chapter',
  'hs_heading',
  'enterprise',
  'city',
  'county',
  'customs',
  'carrier',
] as const;
type Dimension = (typeof DIMENSIONS)[number];

const thisYear = new Date().getFullYear();
const lastDay = (month: string): string => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HS = /^\d{2}(\d{2})?$/;

/** The code filters the API accepts (statistics.schema.ts), with their longest value. */
const CODE_FILTERS = [
  { key: 'country', dim: 'country', max: 3, placeholder: 'stats.countryPlaceholder', width: 300 },
  { key: 'hs', dim: 'hs_heading', max: 4, placeholder: 'stats.hsPlaceholder', width: 300 },
  { key: 'enterprise', dim: 'enterprise', max: 18, placeholder: 'stats.enterprisePlaceholder', width: 270 },
  { key: 'customs', dim: 'customs', max: 4, placeholder: 'stats.customsPlaceholder', width: 270 },
  { key: 'carrier', dim: 'carrier', max: 18, placeholder: 'stats.carrierPlaceholder', width: 270 },
  { key: 'county', dim: 'county', max: 5, placeholder: 'stats.regionPlaceholder', width: 340 },
] as const;
type CodeFilter = (typeof CODE_FILTERS)[number]['key'];
const NO_CODES: Record<CodeFilter, string> = { country: '', hs: '', enterprise: '', customs: '', carrier: '', county: '' };

/**
 * 统计分析: CBEC export figures by one dimension (commerce all, customs its jurisdiction, a
 * seller itself), from the incrementally kept read model; chart, table and Excel export. Any
 * closing-day range (a month picked fills it in), filtered by mode, country, HS chapter or
 * heading, seller, customs office, carrier and seller's region; the export carries the same filters.
 */
export default function StatsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const lang = locale === 'en' ? 'en' : 'zh';
  const [by, setBy] = useState<Dimension>('country');
  const [month, setMonth] = useState('');
  const [from, setFrom] = useState(`${thisYear}-01-01`);
  const [to, setTo] = useState(`${thisYear}-12-31`);
  const [codes, setCodes] = useState<Record<CodeFilter, string>>(NO_CODES);
  const [mode, setMode] = useState<string | undefined>(undefined);
  const [metric, setMetric] = useState<'valueUsd' | 'valueCny' | 'inventories'>('valueUsd');

  const pickMonth = (m: string) => {
    setMonth(m);
    if (m) {
      setFrom(`${m}-01`);
      setTo(lastDay(m));
    }
  };
  const trimmed = Object.fromEntries(CODE_FILTERS.map((f) => [f.key, codes[f.key].trim()])) as Record<CodeFilter, string>;
  const badHs = trimmed.hs !== '' && !HS.test(trimmed.hs);
  const badRange = !DATE.test(from) || !DATE.test(to) || from > to;
  const valid = !badHs && !badRange;
  const filters = {
    from,
    to,
    mode,
    ...Object.fromEntries(CODE_FILTERS.map((f) => [f.key, trimmed[f.key] || undefined])),
    lang,
  };
  const q = useQuery({
    queryKey: ['statistics', by, filters],
    enabled: valid,
    queryFn: ({ signal }) => api<StatsTable>('/statistics', { query: { by, ...filters }, signal }),
  });
  const rows = useMemo(() => q.data?.rows ?? [], [q.data]);
  const exportHref = apiUrl('/statistics/export.xlsx', { ...filters });

  const columns: TableColumnsType<StatsRow> = [
    { title: t('stats.key'), dataIndex: 'key', key: 'key', width: 120 },
    { title: t(`stats.dim.${by}`), dataIndex: 'label', key: 'label' },
    { title: t('stats.inventories'), dataIndex: 'inventories', key: 'inventories', align: 'right' },
    { title: t('stats.valueCny'), dataIndex: 'valueCny', key: 'valueCny', align: 'right' },
    { title: t('stats.valueUsd'), dataIndex: 'valueUsd', key: 'valueUsd', align: 'right' },
    { title: t('stats.weight'), dataIndex: 'grossWeightKg', key: 'grossWeightKg', align: 'right' },
  ];
  const timeAxis = by === 'month' || by === 'week' || by === 'day';
  const option = useMemo(() => {
    const chartRows = timeAxis ? [...rows].sort((a, b) => a.key.localeCompare(b.key)) : rows.slice(0, 20);
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 20, top: 20, bottom: 80 },
      xAxis: { type: 'category', data: chartRows.map((r) => r.label), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value' },
      series: [{ type: timeAxis ? 'line' : 'bar', data: chartRows.map((r) => Number(r[metric])), name: t(`stats.${metric}`) }],
    };
  }, [rows, timeAxis, metric, t]);

  return (
    <Page
      title={t('stats.title')}
      testId="stats-title"
      extra={
        <Button
          icon={<DownloadOutlined />}
          href={valid ? exportHref : undefined}
          disabled={!valid}
          download="cbec-statistics.xlsx"
          data-testid="stats-export"
        >
          {t('stats.export')}
        </Button>
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Select
            style={{ width: 180 }}
            value={by}
            onChange={setBy}
            data-testid="stats-by"
            options={DIMENSIONS.map((d) => ({ value: d, label: t(`stats.dim.${d}`) }))}
          />
          <Input
            type="month"
            style={{ width: 170 }}
            value={month}
            onChange={(e) => pickMonth(e.target.value)}
            aria-label={t('stats.month')}
            data-testid="stats-month"
          />
          <Input
            type="date"
            style={{ width: 210 }}
            value={from}
            onChange={(e) => {
              setMonth('');
              setFrom(e.target.value);
            }}
            status={badRange ? 'error' : undefined}
            aria-label={t('stats.from')}
            prefix={<Typography.Text type="secondary">{t('stats.from')}</Typography.Text>}
            data-testid="stats-from"
          />
          <Input
            type="date"
            style={{ width: 210 }}
            value={to}
            onChange={(e) => {
              setMonth('');
              setTo(e.target.value);
            }}
            status={badRange ? 'error' : undefined}
            aria-label={t('stats.to')}
            prefix={<Typography.Text type="secondary">{t('stats.to')}</Typography.Text>}
            data-testid="stats-to"
          />
          <Select
            style={{ width: 200 }}
            allowClear
            value={mode}
            onChange={setMode}
            placeholder={t('stats.dim.mode')}
            data-testid="stats-mode"
            options={['9610', '9710', '9810', '1210'].map((m) => ({ value: m, label: m }))}
          />
          {CODE_FILTERS.map((f) => (
            <Input
              key={f.key}
              style={{ width: f.width }}
              value={codes[f.key]}
              maxLength={f.max}
              onChange={(e) => setCodes((c) => ({ ...c, [f.key]: e.target.value }))}
              placeholder={t(f.placeholder)}
              aria-label={t(f.placeholder)}
              prefix={<Typography.Text type="secondary">{t(`stats.dim.${f.dim}`)}</Typography.Text>}
              status={f.key === 'hs' && badHs ? 'error' : undefined}
              allowClear
              data-testid={`stats-${f.key}`}
            />
          ))}
          <Button
            onClick={() => {
              setCodes(NO_CODES);
              setMode(undefined);
              pickMonth('');
              setFrom(`${thisYear}-01-01`);
              setTo(`${thisYear}-12-31`);
            }}
            data-testid="stats-reset"
          >
            {t('stats.resetFilters')}
          </Button>
          <Segmented
            value={metric}
            onChange={(v) => setMetric(v as typeof metric)}
            options={[
              { value: 'valueUsd', label: 'USD' },
              { value: 'valueCny', label: 'CNY' },
              { value: 'inventories', label: t('stats.inventories') },
            ]}
          />
        </Space>
      </Card>
      {!valid ? (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          title={[badRange ? t('stats.badRange') : '', badHs ? t('stats.badHs') : ''].filter(Boolean).join(' · ')}
          data-testid="stats-invalid"
        />
      ) : null}
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            <Col span={6}>
              <Card size="small">
                <Statistic
                  title={t('stats.inventories')}
                  value={q.data?.totals.inventories ?? 0}
                  valueRender={(n) => <span data-testid="stats-total-inventories">{n}</span>}
                />
              </Card>
            </Col>
            <Col span={6}>
              <Card size="small">
                <Statistic title={t('stats.valueCny')} value={q.data?.totals.valueCny ?? '0'} />
              </Card>
            </Col>
            <Col span={6}>
              <Card size="small">
                <Statistic title={t('stats.valueUsd')} value={q.data?.totals.valueUsd ?? '0'} />
              </Card>
            </Col>
            <Col span={6}>
              <Card size="small">
                <Statistic title={t('stats.weight')} value={q.data?.totals.grossWeightKg ?? '0'} />
              </Card>
            </Col>
          </Row>
          <Card size="small" style={{ marginBottom: 16 }}>
            <StatsChart option={option} />
          </Card>
          <Table<StatsRow>
            rowKey="key"
            size="small"
            loading={q.isLoading}
            columns={columns}
            dataSource={rows}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            data-testid="stats-table"
            footer={() => `${t('stats.scope')}: ${q.data?.scope ?? ''} · ${q.data?.from ?? ''} ~ ${q.data?.to ?? ''}`}
          />
        </>
      )}
    </Page>
  );
}
