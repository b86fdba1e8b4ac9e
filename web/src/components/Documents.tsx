import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Drawer, Empty, Input, Select, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api.ts';
import {
  CEB_STATUS_CODES,
  cebStatusInfo,
  documentKey,
  downloadText,
  KIND_LABEL,
  MESSAGE_LABEL,
  TIMELINE_STEPS,
  toCsv,
  type ClearanceDocument,
  type DocKind,
  type DocumentDetail,
  type PageOf,
  type Receipt,
} from '../clearance.ts';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';
import { CebStatusTag } from './StatusTag.tsx';
import { LoadError } from './Page.tsx';

const PAGE = 100;

export function KindTag({ kind }: { kind: string }) {
  const { t } = useTranslation();
  const key = KIND_LABEL[kind];
  return <Tag color="blue">{key ? t(key) : kind}</Tag>;
}

/** The documents the caller may see, newest first: `GET /api/v1/clearance/documents`. */
export function useDocuments(
  filter: { kind?: DocKind | undefined; status?: string | undefined; q?: string | undefined },
  refetchMs?: number,
) {
  return useInfiniteQuery({
    queryKey: ['clearance', 'documents', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<PageOf<ClearanceDocument>>('/clearance/documents', {
        query: { kind: filter.kind, status: filter.status, q: filter.q, cursor: pageParam, limit: PAGE },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
    ...(refetchMs ? { refetchInterval: refetchMs } : {}),
  });
}

/**
 * A big table of clearance documents with a status filter, a search box and CSV export; a click
 * on the number opens the document (search parameter `doc`, so a reload keeps it open).
 */
export function DocumentList({
  kind,
  testId,
  kindFilter = false,
  initialQuery = '',
  extraColumns,
}: {
  kind?: DocKind;
  testId: string;
  kindFilter?: boolean;
  initialQuery?: string;
  extraColumns?: TableColumnsType<ClearanceDocument>;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [, setParams] = useSearchParams();
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [chosenKind, setChosenKind] = useState<DocKind | undefined>(kind);
  const [q, setQ] = useState(initialQuery);
  const docs = useDocuments({ kind: kindFilter ? chosenKind : kind, status, q: q.trim() || undefined }, 10_000);
  const rows = docs.data?.pages.flatMap((p) => p.items) ?? [];

  const open = (id: string) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('doc', id);
      return next;
    });

  const columns: TableColumnsType<ClearanceDocument> = [
    {
      title: t('clr.key'),
      key: 'key',
      render: (_: unknown, d) => (
        <Button type="link" className="doc-link" onClick={() => open(d.id)} data-testid={`${testId}-open-${documentKey(d)}`}>
          {documentKey(d)}
        </Button>
      ),
    },
    ...(kind
      ? []
      : [{ title: t('clr.kind'), key: 'kind', render: (_: unknown, d: ClearanceDocument) => <KindTag kind={d.kind} /> }]),
    {
      title: t('clr.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: string, d) => <CebStatusTag code={s} testId={`${testId}-status-${documentKey(d)}`} />,
    },
    {
      title: t('clr.invtNo'),
      key: 'invtNo',
      render: (_: unknown, d) => d.invtNo ?? d.preNo ?? '—',
    },
    ...(extraColumns ?? []),
    {
      title: t('clr.ebcName'),
      key: 'ebc',
      render: (_: unknown, d) => d.head.ebcName ?? d.head.agentName ?? d.head.logisticsName ?? d.head.operatorName ?? '—',
    },
    {
      title: t('clr.returnInfo'),
      dataIndex: 'returnInfo',
      key: 'returnInfo',
      ellipsis: true,
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('clr.updatedAt'),
      dataIndex: 'updatedAt',
      key: 'updatedAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
  ];

  const exportCsv = () => {
    const header = [
      t('clr.key'),
      t('clr.kind'),
      t('clr.status'),
      t('clr.invtNo'),
      t('clr.preNo'),
      t('clr.copNo'),
      t('clr.returnInfo'),
      t('clr.updatedAt'),
    ];
    const body = rows.map((d) => [
      documentKey(d),
      d.kind,
      `${d.status} ${t(cebStatusInfo(d.status).labelKey)}`,
      d.invtNo,
      d.preNo,
      d.copNo,
      d.returnInfo,
      d.updatedAt,
    ]);
    downloadText(`${testId}.csv`, toCsv(header, body));
  };

  return (
    <Card>
      <Space wrap className="table-toolbar">
        {kindFilter ? (
          <Select<DocKind | undefined>
            className="filter-select"
            allowClear
            placeholder={t('docKind.all')}
            value={chosenKind}
            onChange={setChosenKind}
            options={Object.entries(KIND_LABEL).map(([value, key]) => ({ value: value as DocKind, label: t(key) }))}
            data-testid={`${testId}-kind`}
          />
        ) : null}
        <Select<string | undefined>
          className="filter-select"
          allowClear
          placeholder={t('clr.allStatuses')}
          value={status}
          onChange={setStatus}
          options={CEB_STATUS_CODES.map((c) => ({ value: c, label: `${c} ${t(cebStatusInfo(c).labelKey)}` }))}
        />
        <Input.Search
          allowClear
          defaultValue={initialQuery}
          placeholder={t('clr.searchPlaceholder')}
          onSearch={setQ}
          className="search-box-wide"
          data-testid={`${testId}-search`}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void docs.refetch()} loading={docs.isRefetching}>
          {t('common.refresh')}
        </Button>
        <Button icon={<DownloadOutlined />} onClick={exportCsv} disabled={rows.length === 0}>
          {t('clr.exportCsv')}
        </Button>
      </Space>
      {docs.isError ? (
        <LoadError error={docs.error} onRetry={() => void docs.refetch()} />
      ) : (
        <>
          <Table<ClearanceDocument>
            rowKey="id"
            size="middle"
            loading={docs.isPending}
            columns={columns}
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid={`${testId}-table`}
          />
          <div className="load-more">
            {docs.hasNextPage ? (
              <Button onClick={() => void docs.fetchNextPage()} loading={docs.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            ) : rows.length > 0 ? (
              <Typography.Text type="secondary">{t('common.total', { count: rows.length })}</Typography.Text>
            ) : null}
          </div>
        </>
      )}
      <DocumentDrawer />
    </Card>
  );
}

/** The statuses a document went through, from its receipts (oldest first) and its status now. */
export function ParcelTimeline({ doc }: { doc: DocumentDetail }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const firstAt = new Map<string, Receipt>();
  for (const r of doc.receipts) if (!firstAt.has(r.returnStatus)) firstAt.set(r.returnStatus, r);
  const reached = new Set([...firstAt.keys(), doc.status]);
  // Everything before the furthest step reached has been passed, even without its own receipt.
  let furthest = -1;
  TIMELINE_STEPS.forEach((s, i) => {
    if (reached.has(s)) furthest = i;
  });
  const steps = TIMELINE_STEPS.filter((s) => s !== '300' || reached.has('300'));
  const items: { color: string; title: ReactNode; content: ReactNode }[] = steps.map((s) => {
    const receipt = firstAt.get(s);
    const done = TIMELINE_STEPS.indexOf(s) <= furthest;
    const current = s === doc.status;
    return {
      color: done ? (current ? 'green' : 'blue') : 'gray',
      title: (
        <span data-testid={`timeline-step-${s}`} data-reached={done ? 'yes' : 'no'}>
          <CebStatusTag code={s} />
        </span>
      ),
      content: receipt ? (
        <Space orientation="vertical" size={0}>
          <Typography.Text type="secondary">{formatDateTime(receiptDate(receipt.returnTime), locale)}</Typography.Text>
          <Typography.Text>{receipt.returnInfo}</Typography.Text>
        </Space>
      ) : (
        <Typography.Text type="secondary">{done ? '' : t('clr.pending')}</Typography.Text>
      ),
    };
  });
  const bad = doc.status === '100' || doc.status.startsWith('-') || doc.status === 'cancelled' || doc.status === 'deleted';
  if (bad) {
    const receipt = firstAt.get(doc.status);
    items.push({
      color: 'red',
      title: (
        <span data-testid={`timeline-step-${doc.status}`} data-reached="yes">
          <CebStatusTag code={doc.status} />
        </span>
      ),
      content: <Typography.Text type="danger">{receipt?.returnInfo ?? doc.returnInfo ?? ''}</Typography.Text>,
    });
  }
  return <Timeline items={items} data-testid="parcel-timeline" data-status={doc.status} />;
}

/** CEB receipt times are `yyyyMMddhhmmssSSS` (China time); anything else is shown as it is. */
export function receiptDate(v: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(v);
  if (!m) return v;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`;
}

export function ReceiptTable({ receipts, testId }: { receipts: Receipt[]; testId?: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const columns: TableColumnsType<Receipt> = [
    {
      title: t('clr.receiptTime'),
      dataIndex: 'returnTime',
      key: 'returnTime',
      render: (v: string) => <span className="nowrap">{formatDateTime(receiptDate(v), locale)}</span>,
    },
    {
      title: t('clr.messageType'),
      dataIndex: 'messageType',
      key: 'messageType',
      render: (v: string) => {
        const key = MESSAGE_LABEL[v];
        return (
          <span className="nowrap">
            {v} {key ? t(key) : ''}
          </span>
        );
      },
    },
    {
      title: t('clr.key'),
      key: 'key',
      render: (_: unknown, r) => r.fields.orderNo ?? r.fields.logisticsNo ?? r.fields.billNo ?? r.fields.copNo ?? '—',
    },
    {
      title: t('clr.returnStatus'),
      dataIndex: 'returnStatus',
      key: 'returnStatus',
      render: (v: string) => <CebStatusTag code={v} />,
    },
    { title: t('clr.returnInfo'), dataIndex: 'returnInfo', key: 'returnInfo' },
  ];
  return (
    <Table<Receipt>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={receipts}
      pagination={false}
      scroll={{ x: 'max-content' }}
      expandable={{ expandedRowRender: (r) => <pre className="json-block">{r.xml}</pre> }}
      {...(testId ? { 'data-testid': testId } : {})}
    />
  );
}

export function LinesTable({ lines }: { lines: Record<string, string>[] }) {
  const { t } = useTranslation();
  if (lines.length === 0) return null;
  const known: [string, string][] = [
    ['gnum', t('clr.gnum')],
    ['itemNo', t('clr.itemNo')],
    ['itemName', t('clr.itemName')],
    ['gcode', t('clr.gcode')],
    ['qty', t('clr.qty')],
    ['unit', t('clr.unit')],
    ['price', t('clr.price')],
    ['totalPrice', t('clr.lineTotal')],
    ['logisticsNo', t('clr.logisticsNo')],
  ];
  const present = known.filter(([k]) => lines.some((l) => l[k] !== undefined));
  return (
    <Table<Record<string, string>>
      rowKey={(l) => l.gnum ?? JSON.stringify(l)}
      size="small"
      pagination={false}
      dataSource={lines}
      scroll={{ x: 'max-content' }}
      columns={present.map(([k, title]) => ({ title, dataIndex: k, key: k }))}
    />
  );
}

export function HeadFields({ head, columns = 2 }: { head: Record<string, string>; columns?: number }) {
  const entries = Object.entries(head).filter(([k]) => !['guid', 'appType', 'appStatus', 'appTime'].includes(k));
  return (
    <Descriptions
      size="small"
      bordered
      column={columns}
      items={entries.map(([k, v]) => ({ key: k, label: k, children: <span className="break">{v}</span> }))}
    />
  );
}

/** The order and waybill a parcel names, as the caller may see them. */
function Linked({ doc }: { doc: ClearanceDocument }) {
  const { t } = useTranslation();
  const orderNo = doc.head.orderNo;
  const logisticsNo = doc.head.logisticsNo;
  const linked = useQuery({
    queryKey: ['clearance', 'linked', doc.id],
    enabled: doc.kind === 'inventory',
    queryFn: async ({ signal }) => {
      const [orders, waybills] = await Promise.all([
        orderNo
          ? api<PageOf<ClearanceDocument>>('/clearance/documents', { query: { kind: 'order', q: orderNo, limit: 5 }, signal })
          : null,
        logisticsNo
          ? api<PageOf<ClearanceDocument>>('/clearance/documents', {
              query: { kind: 'waybill', q: logisticsNo, limit: 5 },
              signal,
            })
          : null,
      ]);
      return {
        order: orders?.items.find((o) => o.head.orderNo === orderNo && o.live) ?? orders?.items[0] ?? null,
        waybill: waybills?.items.find((w) => w.head.logisticsNo === logisticsNo && w.live) ?? waybills?.items[0] ?? null,
      };
    },
  });
  if (doc.kind !== 'inventory') return null;
  if (linked.isPending) return <Spin />;
  const part = (title: string, d: ClearanceDocument | null | undefined, id: string) => (
    <Card size="small" title={title} data-testid={`linked-${id}`} className="linked-card">
      {d ? (
        <Space orientation="vertical" className="full-width">
          <Space>
            <Typography.Text strong>{documentKey(d)}</Typography.Text>
            <CebStatusTag code={d.status} />
          </Space>
          <HeadFields head={d.head} columns={1} />
        </Space>
      ) : (
        <Typography.Text type="secondary">{t('clr.noDocument')}</Typography.Text>
      )}
    </Card>
  );
  return (
    <div className="side-by-side two">
      {part(t('parcels.order'), linked.data?.order, 'order')}
      {part(t('parcels.waybill'), linked.data?.waybill, 'waybill')}
    </div>
  );
}

/** The hashed evidence pack of the inventory's order (issue 6), for those whose duty reads evidence. */
function OrderEvidenceLinks({ doc }: { doc: DocumentDetail }) {
  const { t } = useTranslation();
  const session = useSession();
  const orderNo = typeof doc.head.orderNo === 'string' ? doc.head.orderNo : '';
  const ebpCode = typeof doc.head.ebpCode === 'string' ? doc.head.ebpCode : '';
  if (doc.kind !== 'inventory' || !orderNo || !ebpCode || !hasPermission(session, 'evidence.read')) return null;
  const base = `/api/v1/evidence/orders/${encodeURIComponent(orderNo)}`;
  const query = `?ebpCode=${encodeURIComponent(ebpCode)}`;
  return (
    <Space data-testid="order-evidence">
      <Typography.Text type="secondary">{t('clr.orderEvidence')}</Typography.Text>
      <a href={`${base}${query}`} data-testid="order-evidence-json">
        <DownloadOutlined /> JSON
      </a>
      <a href={`${base}/pdf${query}`} data-testid="order-evidence-pdf">
        <DownloadOutlined /> PDF
      </a>
    </Space>
  );
}

/** One document, opened from any list: timeline (inventories), fields, lines, linked documents, receipts. */
export function DocumentDrawer() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const id = params.get('doc');
  const detail = useQuery({
    queryKey: ['clearance', 'document', id],
    enabled: id !== null,
    queryFn: ({ signal }) => api<DocumentDetail>(`/clearance/documents/${encodeURIComponent(id ?? '')}`, { signal }),
    refetchInterval: 5_000,
  });
  const close = () =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.delete('doc');
      return next;
    });
  const d = detail.data;
  return (
    <Drawer
      open={id !== null}
      onClose={close}
      size={960}
      title={d ? t('parcels.detailTitle', { key: documentKey(d) }) : t('clr.detail')}
      data-testid="document-drawer"
    >
      {detail.isError ? (
        <LoadError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : !d ? (
        <Spin />
      ) : (
        <Space orientation="vertical" size="large" className="full-width" data-testid="document-detail">
          <Space wrap>
            <KindTag kind={d.kind} />
            <CebStatusTag code={d.status} testId="document-status" />
            {d.invtNo ? <Typography.Text copyable>{d.invtNo}</Typography.Text> : null}
            {d.preNo ? <Typography.Text type="secondary">{`${t('clr.preNo')} ${d.preNo}`}</Typography.Text> : null}
          </Space>
          <OrderEvidenceLinks doc={d} />
          {d.review?.reason ? (
            <Typography.Text type="warning">
              {t('clr.reviewReason')}：{d.review.reason}
            </Typography.Text>
          ) : null}
          {d.kind === 'inventory' ? (
            <Card size="small" title={t('clr.timeline')}>
              <ParcelTimeline doc={d} />
            </Card>
          ) : null}
          <Linked doc={d} />
          <Card size="small" title={t('clr.head')}>
            <HeadFields head={d.head} />
          </Card>
          {d.lines.length ? (
            <Card size="small" title={t('clr.lines')}>
              <LinesTable lines={d.lines} />
            </Card>
          ) : null}
          <Card size="small" title={t('clr.receipts')}>
            {d.receipts.length ? <ReceiptTable receipts={d.receipts} testId="document-receipts" /> : <Empty />}
          </Card>
        </Space>
      )}
    </Drawer>
  );
}
