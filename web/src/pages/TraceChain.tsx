import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

export type TraceEventKind = 'producer' | 'filing' | 'warehouse' | 'inspection' | 'departure' | 'delivery';
export type TraceSource = 'seller' | 'filing' | 'warehouse' | 'customs' | 'inspection' | 'agency' | 'logistics';

export interface TraceLink {
  kind: TraceEventKind;
  at: string;
  place: string | null;
  country: string | null;
  note: string | null;
  result: 'pass' | 'fail' | null;
  source: TraceSource | null;
  logisticsNo: string | null;
}

/** One trace code with its chain (GET /trace/codes/:code). */
export interface TraceDetail {
  code: string;
  kind: 'unit' | 'batch';
  batchNo: string;
  quantity: number;
  itemNo: string;
  productName: string;
  productNames: Record<string, string>;
  seller: { code: string; name: string };
  chain: TraceLink[];
  checks: { filed: boolean; inspection: 'passed' | 'failed' | null; departed: boolean; delivered: boolean };
}

/** The inspection state as a tag: passed, failed (any failure on the chain) or not inspected. */
export function InspectionTag({ state }: { state: 'passed' | 'failed' | null }) {
  const { t } = useTranslation();
  return (
    <Tag color={state === 'passed' ? 'green' : state === 'failed' ? 'red' : 'default'} data-testid="trace-inspection-state">
      {t(`trace.inspectionStates.${state ?? 'none'}`)}
    </Tag>
  );
}

/** A code's chain in time order: each link with where it came from (the record, or the seller's word). */
export function TraceChain({ chain }: { chain: TraceLink[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <Table<TraceLink>
      size="small"
      pagination={false}
      rowKey={(e) => `${e.kind}|${e.at}|${e.logisticsNo ?? ''}|${e.result ?? ''}`}
      dataSource={chain}
      data-testid="trace-chain-table"
      columns={[
        { title: t('trace.at'), dataIndex: 'at', render: (v: string) => formatDateTime(v, locale) },
        { title: t('trace.eventKind'), dataIndex: 'kind', render: (k: TraceEventKind) => t(`trace.kinds.${k}`) },
        {
          title: t('trace.result'),
          dataIndex: 'result',
          render: (r: TraceLink['result']) =>
            r ? <Tag color={r === 'pass' ? 'green' : 'red'}>{t(r === 'pass' ? 'trace.pass' : 'trace.fail')}</Tag> : null,
        },
        {
          title: t('trace.place'),
          key: 'place',
          render: (_: unknown, e: TraceLink) => [e.place, e.country].filter(Boolean).join(' · '),
        },
        { title: t('trace.logisticsNo'), dataIndex: 'logisticsNo' },
        { title: t('trace.note'), dataIndex: 'note' },
        {
          title: t('trace.source'),
          dataIndex: 'source',
          render: (s: TraceSource | null) => (s ? <Tag>{t(`trace.sources.${s}`)}</Tag> : null),
        },
      ]}
    />
  );
}
