import { HistoryOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Drawer, Empty, Spin, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { LANE_COLOR } from './RiskRulesPage.tsx';

type Lane = 'green' | 'review' | 'inspect' | 'hold';

/** One rule that hit, as the risk engine stored it with the decision. */
export interface RuleHit {
  rule: string;
  version?: number;
  lane: Lane;
  agency?: 'customs' | 'inspection';
  zh: string;
  en: string;
  detailZh: string;
  detailEn: string;
}

/** GET /risk/decisions/:inventoryId: the decision in force and the ones it replaced. */
export interface RiskDecision {
  inventoryId: string;
  logisticsNo: string | null;
  lane: Lane;
  hits: RuleHit[];
  decidedAt: string;
  earlier: { lane: Lane; hits: RuleHit[]; decidedAt: string; supersededAt: string }[];
}

/** The decision of one inventory, for officers who may read it (risk.read, its jurisdiction). */
export function useRiskDecision(inventoryId: string | null, enabled = true) {
  return useQuery({
    queryKey: ['risk', 'decision', inventoryId],
    enabled: enabled && inventoryId !== null,
    queryFn: ({ signal }) => api<RiskDecision>(`/risk/decisions/${encodeURIComponent(inventoryId!)}`, { signal }),
    retry: false,
  });
}

/** The rules that hit: rule id, lane and the explanation with what in the parcel made it hit. */
export function RuleHits({ hits, testId }: { hits: RuleHit[]; testId?: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (hits.length === 0) return <Typography.Text type="secondary">{t('risk.noHits')}</Typography.Text>;
  return (
    <div data-testid={testId}>
      {hits.map((h) => (
        <div key={h.rule} data-testid={testId ? `${testId}-${h.rule}` : undefined}>
          <Tag>{h.rule}</Tag>
          <Tag color={LANE_COLOR[h.lane]}>{t(`risk.lanes.${h.lane}`)}</Tag>
          {h.agency ? <Tag>{t(`inspection.agency.${h.agency}`)}</Tag> : null}
          {locale === 'en' ? `${h.en}: ${h.detailEn}` : `${h.zh}：${h.detailZh}`}
        </div>
      ))}
    </div>
  );
}

/**
 * A parcel's decision history: the decision in force and every earlier one it replaced (a hold
 * fixed, a rule changed), newest first, each with its rules and why.
 */
export function RiskDecisionDrawer({
  inventoryId,
  title,
  onClose,
}: {
  inventoryId: string | null;
  title: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const decision = useRiskDecision(inventoryId);
  const d = decision.data;
  return (
    <Drawer
      open={inventoryId !== null}
      onClose={onClose}
      size={640}
      title={t('risk.historyOf', { parcel: title })}
      data-testid="risk-decision-history"
    >
      {decision.isError ? (
        <LoadError error={decision.error} onRetry={() => void decision.refetch()} />
      ) : !d ? (
        <Spin />
      ) : (
        <Timeline
          items={[
            {
              color: LANE_COLOR[d.lane],
              content: (
                <div data-testid="risk-decision-current">
                  <Typography.Text strong>
                    {t('risk.decisionInForce')} · <Tag color={LANE_COLOR[d.lane]}>{t(`risk.lanes.${d.lane}`)}</Tag>
                    {formatDateTime(d.decidedAt, locale)}
                  </Typography.Text>
                  <RuleHits hits={d.hits} />
                </div>
              ),
            },
            ...d.earlier.map((e, i) => ({
              color: 'gray',
              content: (
                <div data-testid={`risk-decision-earlier-${i}`}>
                  <Typography.Text>
                    <Tag color={LANE_COLOR[e.lane]}>{t(`risk.lanes.${e.lane}`)}</Tag>
                    {t('risk.decidedFromTo', {
                      from: formatDateTime(e.decidedAt, locale),
                      to: formatDateTime(e.supersededAt, locale),
                    })}
                  </Typography.Text>
                  <RuleHits hits={e.hits} />
                </div>
              ),
            })),
          ]}
        />
      )}
      {d && d.earlier.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('risk.noEarlier')} /> : null}
    </Drawer>
  );
}

/** A button that opens the parcel's decision history. */
export function DecisionHistoryButton({ inventoryId, label, testId }: { inventoryId: string; label: string; testId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" icon={<HistoryOutlined />} onClick={() => setOpen(true)} data-testid={testId}>
        {t('risk.decisionHistory')}
      </Button>
      <RiskDecisionDrawer inventoryId={open ? inventoryId : null} title={label} onClose={() => setOpen(false)} />
    </>
  );
}
