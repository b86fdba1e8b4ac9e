import { useQuery } from '@tanstack/react-query';
import { Card, Space, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';

interface Measures {
  total: number;
  green: number;
  autoReleasedShare: number | null;
  medianDecisionSeconds: number | null;
  perRule: { rule: string; lane: string; hits: number }[];
  inspectionHitRates: { rule: string; inspected: number; found: number; hitRate: number }[];
}

const LANE_COLOR: Record<string, string> = { green: 'green', review: 'orange', inspect: 'volcano', hold: 'red' };
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/**
 * The risk measures for customs (issue 5): share auto-released, decision time, hits per rule and
 * the inspection hit rate overall and per rule. On the risk-hit queue and the customs dashboard.
 */
export function RiskMeasuresCard() {
  const { t } = useTranslation();
  const risk = useQuery({ queryKey: ['risk', 'measures'], queryFn: () => api<Measures>('/risk/measures') });
  const insp = useQuery({
    queryKey: ['inspection', 'measures'],
    queryFn: () => api<{ hitRate: number | null }>('/inspection/measures'),
  });
  return (
    <Card size="small" title={t('risk.measures')} className="block-gap" data-testid="risk-measures">
      <Space size="large" wrap>
        <Statistic title={t('risk.decisions')} value={risk.data?.total ?? '—'} data-testid="risk-decisions" />
        <Statistic title={t('risk.autoReleased')} value={pct(risk.data?.autoReleasedShare)} data-testid="risk-auto-released" />
        <Statistic
          title={t('risk.decisionTime')}
          value={risk.data?.medianDecisionSeconds == null ? '—' : `${Math.round(risk.data.medianDecisionSeconds)} s`}
        />
        <Statistic title={t('risk.inspectionHitRate')} value={pct(insp.data?.hitRate)} />
        <div data-testid="risk-per-rule">
          <Typography.Text type="secondary">{t('risk.perRule')}</Typography.Text>
          <br />
          {(risk.data?.perRule ?? []).map((r) => (
            <Tag key={`${r.rule}-${r.lane}`} color={LANE_COLOR[r.lane]} data-testid={`risk-rule-hits-${r.rule}-${r.lane}`}>
              {r.rule}: {r.hits}
            </Tag>
          ))}
        </div>
        <div data-testid="risk-hit-rate-per-rule">
          <Typography.Text type="secondary">{t('risk.hitRatePerRule')}</Typography.Text>
          <br />
          {(risk.data?.inspectionHitRates ?? []).map((r) => (
            <Tag key={r.rule}>
              {r.rule}: {pct(r.hitRate)} ({r.found}/{r.inspected})
            </Tag>
          ))}
        </div>
      </Space>
    </Card>
  );
}
