import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Input, Row, Segmented, Select, Space, Statistic, Table } from 'antd';
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

/**
 * 统计分析: CBEC export figures by one dimension (commerce all, customs its jurisdiction, a
 * seller itself), from the incrementally kept read model; chart, table and Excel export.
 */
export default function StatsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const lang = locale === 'en' ? 'en' : 'zh';
  const [by, setBy] = useState<Dimension>('country');
  const [month, setMonth] = useState('');
  const [country, setCountry] = useState('');
  const [mode, setMode] = useState<string | undefined>(undefined);
  const [metric, setMetric] = useState<'valueUsd' | 'valueCny' | 'inventories'>('valueUsd');

  const range = month ? { from: `${month}-01`, to: lastDay(month) } : { from: `${thisYear}-01-01`, to: `${thisYear}-12-31` };
  const filters = { ...range, country: country.trim() || undefined, mode, lang };
  const q = useQuery({
    queryKey: ['statistics', by, filters],
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
        <Button icon={<DownloadOutlined />} href={exportHref} download="cbec-statistics.xlsx" data-testid="stats-export">
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
            onChange={(e) => setMonth(e.target.value)}
            aria-label={t('stats.month')}
            data-testid="stats-month"
          />
          <Input
            style={{ width: 200 }}
            value={country}
            onChange={(e) => setCountry(e.target.value)}
            placeholder={t('stats.countryPlaceholder')}
            allowClear
            data-testid="stats-country"
          />
          <Select
            style={{ width: 200 }}
            allowClear
            value={mode}
            onChange={setMode}
            placeholder={t('stats.dim.mode')}
            options={['9610', '9710', '9810', '1210'].map((m) => ({ value: m, label: m }))}
          />
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
