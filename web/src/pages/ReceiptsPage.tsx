import { DownloadOutlined, ReloadOutlined, WifiOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Space, Tag } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl } from '../api.ts';
import { cebStatusInfo, downloadText, toCsv, type Receipt } from '../clearance.ts';
import { ReceiptTable } from '../components/Documents.tsx';
import { LoadError, Page } from '../components/Page.tsx';

const POLL_MS = 3_000;
const LIMIT = 1000;
const MAX_KEPT = 5000;

/**
 * 回执: the organisation's receipt feed, newest first. Pulls `GET /api/v1/ceb/receipts?after=`
 * every few seconds; when the server offers `GET /api/v1/ceb/receipts/stream` (server-sent
 * events) a pushed event pulls at once and the polling slows down.
 */
export default function ReceiptsPage() {
  const { t } = useTranslation();
  const cursor = useRef(0);
  const [items, setItems] = useState<Receipt[]>([]);
  const [live, setLive] = useState(false);

  const feed = useQuery({
    queryKey: ['ceb', 'receipts', 'feed'],
    queryFn: async ({ signal }) => {
      let fresh: Receipt[] = [];
      for (;;) {
        const page = await api<{ items: Receipt[]; next: number }>('/ceb/receipts', {
          query: { after: cursor.current, limit: LIMIT },
          signal,
        });
        fresh = fresh.concat(page.items);
        cursor.current = page.next;
        if (page.items.length < LIMIT) break;
      }
      if (fresh.length) setItems((old) => [...fresh.reverse(), ...old].slice(0, MAX_KEPT));
      return cursor.current;
    },
    refetchInterval: live ? POLL_MS * 5 : POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  const { refetch } = feed;

  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    const source = new EventSource(apiUrl('/ceb/receipts/stream'), { withCredentials: true });
    source.onopen = () => setLive(true);
    // Each event is one receipt (`event: receipt`); pulling after the cursor picks it up.
    source.addEventListener('receipt', () => void refetch());
    source.onerror = () => {
      // No stream on this server (404) or it went away: polling carries on.
      source.close();
      setLive(false);
    };
    return () => source.close();
  }, [refetch]);

  const exportCsv = () =>
    downloadText(
      'receipts.csv',
      toCsv(
        [t('clr.receiptTime'), t('clr.messageType'), t('clr.key'), t('clr.returnStatus'), t('clr.returnInfo')],
        items.map((r) => [
          r.returnTime,
          r.messageType,
          r.fields.orderNo ?? r.fields.logisticsNo ?? r.fields.billNo ?? r.fields.copNo ?? '',
          `${r.returnStatus} ${t(cebStatusInfo(r.returnStatus).labelKey)}`,
          r.returnInfo,
        ]),
      ),
    );

  return (
    <Page
      title={t('receipts.title')}
      testId="receipts-title"
      extra={
        <Space>
          {live ? (
            <Tag color="green" icon={<WifiOutlined />}>
              {t('clr.live')}
            </Tag>
          ) : (
            <Tag>{t('clr.autoRefresh', { seconds: POLL_MS / 1000 })}</Tag>
          )}
          <Button icon={<ReloadOutlined />} onClick={() => void refetch()} loading={feed.isFetching}>
            {t('common.refresh')}
          </Button>
          <Button icon={<DownloadOutlined />} onClick={exportCsv} disabled={items.length === 0}>
            {t('clr.exportCsv')}
          </Button>
        </Space>
      }
    >
      <Card>
        {feed.isError && items.length === 0 ? (
          <LoadError error={feed.error} onRetry={() => void refetch()} />
        ) : items.length === 0 ? (
          <Empty description={t('receipts.empty')} />
        ) : (
          <ReceiptTable receipts={items} testId="receipts-table" />
        )}
      </Card>
    </Page>
  );
}
