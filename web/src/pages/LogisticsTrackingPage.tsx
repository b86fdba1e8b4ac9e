import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Input, InputNumber, Space, Table, Tag, Timeline } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl } from '../api.ts';
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
interface ProblemPage {
  items: Problem[];
  next: string | null;
}
const PAGE = 200;

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
  // Live: the caller's tracking stream (SSE) names each new event's parcel; one for the parcel on
  // screen reloads its timeline. Without a stream (closed, or a proxy that drops it) the page
  // stays as it was loaded.
  const [live, setLive] = useState(false);
  const { refetch } = timeline;
  useEffect(() => {
    if (no === '' || typeof EventSource === 'undefined') return undefined;
    const source = new EventSource(apiUrl('/logistics/events/stream'), { withCredentials: true });
    source.onopen = () => {
      setLive(true);
      // the stream starts at the end of the feed: an event stored since the timeline was read is in this reload
      void refetch();
    };
    source.addEventListener('tracking', (e) => {
      try {
        const event = JSON.parse((e as MessageEvent<string>).data) as { logisticsNo?: string };
        if (event.logisticsNo === no) void refetch();
      } catch {
        // an event that is not JSON changes nothing on screen
      }
    });
    source.onerror = () => {
      source.close();
      setLive(false);
    };
    return () => {
      source.close();
      setLive(false);
    };
  }, [no, refetch]);
  // no scan for `days`, among parcels scanned within the last `window` days (the server's defaults)
  const [days, setDays] = useState(5);
  const [lookBack, setLookBack] = useState(90);
  const problems = useInfiniteQuery({
    queryKey: ['logistics', 'problems', days, lookBack],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<ProblemPage>('/logistics/problems', { query: { days, window: lookBack, limit: PAGE, after: pageParam }, signal }),
    getNextPageParam: (last) => last.next,
    enabled: carrier,
  });
  const problemRows = problems.data?.pages.flatMap((p) => p.items) ?? [];
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
        <Card
          className="block-gap"
          data-testid="tracking-timeline"
          extra={
            live ? (
              <Tag color="green" data-testid="tracking-live">
                {t('tracking.live')}
              </Tag>
            ) : null
          }
        >
          <Descriptions size="small" column={2}>
            <Descriptions.Item label={t('tracking.invtNo')}>{timeline.data.invtNo ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('tracking.customsStatus')}>{timeline.data.customsStatus ?? '—'}</Descriptions.Item>
          </Descriptions>
          <Timeline
            items={timeline.data.entries.map((e) => ({
              color: e.source === 'customs' ? 'blue' : 'green',
              content: (
                <span data-testid="tracking-entry" data-source={e.source} data-code={e.code} data-at={e.at}>
                  <Tag>{e.source === 'customs' ? t('tracking.customs') : t('tracking.carrier')}</Tag>
                  {pick(e.label)} · {formatDateTime(e.at, locale)} {e.location ? `· ${e.location}` : ''}{' '}
                  {e.detail ? `· ${e.detail}` : ''}
                </span>
              ),
            }))}
          />
        </Card>
      ) : null}
      {carrier ? (
        <Card
          className="block-gap"
          title={t('tracking.problems')}
          extra={
            <Space wrap>
              <span>{t('tracking.noScanDays')}</span>
              <InputNumber
                min={1}
                max={365}
                value={days}
                onChange={(v) => {
                  if (typeof v !== 'number') return;
                  setDays(v);
                  if (lookBack < v) setLookBack(v);
                }}
                data-testid="tracking-days"
              />
              <span>{t('tracking.window')}</span>
              <InputNumber
                min={days}
                max={365}
                value={lookBack}
                onChange={(v) => typeof v === 'number' && setLookBack(Math.max(v, days))}
                data-testid="tracking-window"
              />
            </Space>
          }
        >
          {problems.error ? <LoadError error={problems.error} onRetry={() => void problems.refetch()} /> : null}
          <Table<Problem>
            rowKey="logisticsNo"
            size="small"
            pagination={{ pageSize: 20, showSizeChanger: false }}
            loading={problems.isLoading}
            dataSource={problemRows}
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
          {problems.hasNextPage ? (
            <Button
              className="block-gap"
              loading={problems.isFetchingNextPage}
              onClick={() => void problems.fetchNextPage()}
              data-testid="tracking-problems-more"
            >
              {t('tracking.more')}
            </Button>
          ) : null}
        </Card>
      ) : null}
    </Page>
  );
}
