import { useQuery } from '@tanstack/react-query';
import { Descriptions, Drawer, Spin, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { LoadError } from '../../components/Page.tsx';
import { formatDateTime } from '../../format.ts';
import { useLocale } from '../../i18n/index.ts';
import { CaseKindTag, CaseStatusTag, SeverityText } from './labels.tsx';
import type { CaseDetail } from './types.ts';

const EVENT_COLOR: Record<string, string> = {
  report: 'gray',
  investigate: 'blue',
  dismiss: 'gray',
  decide: 'orange',
  publish: 'red',
  appeal: 'purple',
  uphold: 'red',
  overturn: 'green',
};

/** A case with everything decided on it and its events, oldest first (who moved it, when, with what note). */
export function CaseDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const detail = useQuery({
    queryKey: ['credit-case', id],
    enabled: id !== null,
    queryFn: ({ signal }) => api<CaseDetail>(`/credit/cases/${id}`, { signal }),
  });
  const d = detail.data;
  return (
    <Drawer open={id !== null} onClose={onClose} size={720} title={t('credit.caseDetail')} data-testid="credit-case-drawer">
      {detail.isError ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : !d ? (
        <Spin />
      ) : (
        <>
          <Descriptions size="small" column={2} bordered data-testid="credit-case-detail">
            <Descriptions.Item label={t('credit.subject')} span={2}>
              {d.subjectName} ({d.subjectCode})
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.kind')}>
              <CaseKindTag kind={d.kind} />
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.status')}>
              <CaseStatusTag status={d.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.summary')} span={2}>
              {d.summary}
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.severity')}>
              <SeverityText severity={d.severity} />
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.blacklist')}>{d.blacklist ? <Tag color="red">✓</Tag> : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('credit.decision')} span={2}>
              {d.decision ?? '—'}
            </Descriptions.Item>
            {d.appealReason ? (
              <Descriptions.Item label={t('credit.appealText')} span={2}>
                <span data-testid="credit-case-appeal-reason">{d.appealReason}</span>
              </Descriptions.Item>
            ) : null}
            <Descriptions.Item label={t('credit.createdAt')}>{formatDateTime(d.createdAt, locale)}</Descriptions.Item>
            <Descriptions.Item label={t('credit.publishedAt')}>{formatDateTime(d.publishedAt, locale)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('credit.timeline')}
          </Typography.Title>
          <Timeline
            data-testid="credit-case-timeline"
            items={d.events.map((e) => ({
              color: EVENT_COLOR[e.event] ?? 'blue',
              content: (
                <span data-testid={`credit-case-event-${e.event}`}>
                  <Typography.Text strong>{t(`credit.event.${e.event}`)}</Typography.Text>
                  {' · '}
                  <CaseStatusTag status={e.to} />
                  <Typography.Text type="secondary">{formatDateTime(e.at, locale)}</Typography.Text>
                  {e.note ? <Typography.Paragraph style={{ margin: 0 }}>{e.note}</Typography.Paragraph> : null}
                </span>
              ),
            }))}
          />
        </>
      )}
    </Drawer>
  );
}
