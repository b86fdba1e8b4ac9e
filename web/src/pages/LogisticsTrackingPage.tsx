import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Input, Table, Tag, Timeline } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { useSession } from '../session.tsx';

interface TimelineView {
  logisticsNo: string;
  invtNo: string | null;
  customsStatus: string | null;
  entries: {
    at: string;
    source: 'carrier' | 'customs';
    code: string;
    label: { zh: string; en: string };
    detail: string | null;
    location: string | null;
  }[];
}
interface Problem {
  logisticsNo: string;
  reason: 'no_scan' | 'returned' | 'held';
  lastCode: string;
  lastAt: string;
  daysSinceScan: number;
}

/** One timeline per parcel (carrier scans and customs states); carriers also see their problem parcels. */
export default function LogisticsTrackingPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const carrier = session.user.organisation?.roles.includes('logistics') ?? false;
  const [no, setNo] = useState('');
  const timeline = useQuery({
    queryKey: ['logistics', 'timeline', no],
    queryFn: () => api<TimelineView>(`/logistics/parcels/${encodeURIComponent(no)}/timeline`),
    enabled: no !== '',
    retry: false,
  });
  const problems = useQuery({
    queryKey: ['logistics', 'problems'],
    queryFn: () => api<Problem[]>('/logistics/problems'),
    enabled: carrier,
  });
  const pick = (b: { zh: string; en: string }) => (locale === 'en' ? b.en : b.zh);
  return (
    <Page title={t('tracking.title')} testId="tracking-title">
      <Input.Search
        size="large"
        enterButton
        placeholder={t('tracking.lookup')}
        onSearch={(v) => setNo(v.trim())}
        data-testid="tracking-search"
      />
      {timeline.error ? <LoadError error={timeline.error} /> : null}
      {timeline.data ? (
        <Card className="block-gap" data-testid="tracking-timeline">
          <Descriptions size="small" column={2}>
            <Descriptions.Item label={t('tracking.invtNo')}>{timeline.data.invtNo ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('tracking.customsStatus')}>{timeline.data.customsStatus ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Timeline
            items={timeline.data.entries.map((e) => ({
              color: e.source === 'customs' ? 'blue' : 'green',
              content: (
                <>
                  <Tag>{e.source === 'customs' ? t('tracking.customs') : t('tracking.carrier')}</Tag>
                  {pick(e.label)} · {formatDateTime(e.at, locale)} {e.location ? `· ${e.location}` : ''}{' '}
                  {e.detail ? `· ${e.detail}` : ''}
                </>
              ),
            }))}
          />
        </Card>
      ) : null}
      {carrier ? (
        <Card className="block-gap" title={t('tracking.problems')}>
          <Table<Problem>
            rowKey="logisticsNo"
            size="small"
            loading={problems.isLoading}
            dataSource={problems.data ?? []}
            data-testid="tracking-problems"
            columns={[
              { title: t('tracking.lookup'), dataIndex: 'logisticsNo' },
              {
                title: '',
                key: 'reason',
                render: (_: unknown, p) => (
                  <Tag color={p.reason === 'no_scan' ? 'orange' : 'red'}>{t(`tracking.reason.${p.reason}`)}</Tag>
                ),
              },
              {
                title: t('tracking.lastAt'),
                key: 'at',
                render: (_: unknown, p) => `${formatDateTime(p.lastAt, locale)} (${p.daysSinceScan} ${t('tracking.days')})`,
              },
            ]}
          />
        </Card>
      ) : null}
    </Page>
  );
}
