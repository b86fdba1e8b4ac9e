import { CheckOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

interface Declaration {
  id: string;
  declarationNo: string;
  enterpriseCode: string;
  customsCode: string;
  day: string;
  grouping: 'day' | 'bill';
  billNo: string | null;
  parcelCount: number;
  status: 'declared' | 'supervised';
  supervisedAt: string | null;
  updatedAt: string;
}

interface Parcel {
  inventoryId: string;
  logisticsNo: string;
  lane: string;
  withdrawn: boolean;
  lines: {
    gnum: string;
    itemNo: string;
    name: string;
    qty: number;
    category: string;
    batchNo: string | null;
    batchState: string | null;
  }[];
}

/** A seller batch the declaration's parcels drew on (分批核销). */
interface DrawnBatch {
  batchNo: string;
  itemNo: string;
  reserved: string;
  released: string;
  writtenOff: string;
  returned: string;
}

interface Setting {
  customsPrefix: string;
  declarationGrouping: 'day' | 'bill' | null;
  effectiveGrouping: 'day' | 'bill';
}

const KEY = ['inspection', 'declarations'] as const;

/** One declaration's parcels, loaded when the row is expanded. */
function Parcels({ id }: { id: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: [...KEY, id],
    queryFn: () =>
      api<Declaration & { parcels: Parcel[]; batches: DrawnBatch[] }>(`/inspection/declarations/${encodeURIComponent(id)}`),
  });
  const columns: TableColumnsType<Parcel> = [
    {
      title: t('risk.waybill'),
      dataIndex: 'logisticsNo',
      key: 'logisticsNo',
      render: (v: string, r) => (
        <>
          {v} {r.withdrawn ? <Tag>{t('inspection.withdrawn')}</Tag> : null}
        </>
      ),
    },
    { title: t('risk.lane'), dataIndex: 'lane', key: 'lane', render: (v: string) => t(`risk.lanes.${v as 'green'}`) },
    {
      title: t('inspection.itemNo'),
      key: 'lines',
      render: (_: unknown, r) =>
        r.lines.map((l) => (
          <div key={l.gnum}>
            {l.itemNo} {l.name} × {l.qty} <Tag>{l.category}</Tag>
            {l.batchNo ? <Tag color="blue">{`${l.batchNo} · ${l.batchState ?? ''}`}</Tag> : null}
          </div>
        )),
    },
  ];
  const batchColumns: TableColumnsType<DrawnBatch> = [
    { title: t('inspection.batchNo'), dataIndex: 'batchNo', key: 'batchNo' },
    { title: t('inspection.itemNo'), dataIndex: 'itemNo', key: 'itemNo' },
    { title: t('inspection.reservedQty'), dataIndex: 'reserved', key: 'reserved', align: 'right' },
    { title: t('inspection.releasedQty'), dataIndex: 'released', key: 'released', align: 'right' },
    { title: t('inspection.writtenOff'), dataIndex: 'writtenOff', key: 'writtenOff', align: 'right' },
    { title: t('inspection.returnedQty'), dataIndex: 'returned', key: 'returned', align: 'right' },
  ];
  if (q.error) return <LoadError error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <>
      <Table<Parcel>
        rowKey="inventoryId"
        size="small"
        loading={q.isLoading}
        columns={columns}
        dataSource={q.data?.parcels ?? []}
        pagination={false}
      />
      {q.data?.batches.length ? (
        <Table<DrawnBatch>
          rowKey="batchNo"
          size="small"
          className="block-gap"
          title={() => t('inspection.batchesDrawn')}
          columns={batchColumns}
          dataSource={q.data.batches}
          pagination={false}
        />
      ) : null}
    </>
  );
}

/**
 * Centralised declaration and supervision (集中申报、集中监管): the day's inspection-relevant
 * parcels per enterprise, declared by the platform; the inspection officer supervises each batch.
 */
export default function InspectionDeclarationsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  // supervision is the inspection authority's act (ADR 0025), not a customs officer's
  const canWork =
    hasPermission(session, 'inspection.work') &&
    session.user.roles.includes('inspection_officer') &&
    (session.user.organisation?.roles.includes('inspection') ?? false);
  const list = useQuery({ queryKey: KEY, queryFn: () => api<{ items: Declaration[] }>('/inspection/declarations') });
  const setting = useQuery({ queryKey: [...KEY, 'setting'], queryFn: () => api<Setting>('/inspection/settings') });
  const putSetting = useMutation({
    mutationFn: (declarationGrouping: 'day' | 'bill') =>
      api<Setting>('/inspection/settings', { method: 'PUT', body: { declarationGrouping } }),
    onSuccess: (s) => {
      void message.success(t(`inspection.groupings.${s.effectiveGrouping}`));
      queryClient.setQueryData([...KEY, 'setting'], s);
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
  const supervise = useMutation({
    mutationFn: (id: string) =>
      api<Declaration>(`/inspection/declarations/${encodeURIComponent(id)}/supervise`, { method: 'POST' }),
    onSuccess: async (d) => {
      void message.success(`${d.declarationNo} ${t('inspection.supervised')}`);
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const columns: TableColumnsType<Declaration> = [
    { title: t('inspection.declarationNo'), dataIndex: 'declarationNo', key: 'declarationNo' },
    { title: t('inspection.day'), dataIndex: 'day', key: 'day' },
    {
      title: t('inspection.grouping'),
      dataIndex: 'grouping',
      key: 'grouping',
      render: (g: Declaration['grouping'], r) => (
        <span data-testid={`declaration-grouping-${r.declarationNo}`}>
          {t(`inspection.groupings.${g}`)}
          {r.billNo ? ` · ${t('inspection.billNo')} ${r.billNo}` : ''}
        </span>
      ),
    },
    { title: t('risk.seller'), dataIndex: 'enterpriseCode', key: 'enterpriseCode' },
    { title: t('inspection.parcelCount'), dataIndex: 'parcelCount', key: 'parcelCount', align: 'right' },
    {
      title: t('inspection.status'),
      dataIndex: 'status',
      key: 'status',
      render: (v: Declaration['status'], r) => (
        <Tag color={v === 'supervised' ? 'green' : 'orange'} data-testid={`declaration-status-${r.declarationNo}`}>
          {t(`inspection.declarationStatus.${v}`)}
          {r.supervisedAt ? ` ${formatDateTime(r.supervisedAt, locale)}` : ''}
        </Tag>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, r) =>
        canWork && r.status === 'declared' ? (
          <Button
            size="small"
            icon={<CheckOutlined />}
            loading={supervise.isPending && supervise.variables === r.id}
            onClick={() => supervise.mutate(r.id)}
            data-testid={`declaration-supervise-${r.declarationNo}`}
          >
            {t('inspection.supervise')}
          </Button>
        ) : null,
    },
  ];

  return (
    <Page title={t('inspection.declarationsTitle')} testId="inspection-declarations-title">
      <Space className="block-gap" wrap>
        <Typography.Text>{t('inspection.groupingSetting')}</Typography.Text>
        <Select<'day' | 'bill'>
          style={{ width: 240 }}
          value={setting.data?.effectiveGrouping}
          disabled={!canWork || !setting.data}
          loading={setting.isLoading || putSetting.isPending}
          onChange={(v) => putSetting.mutate(v)}
          options={(['day', 'bill'] as const).map((g) => ({ value: g, label: t(`inspection.groupings.${g}`) }))}
          data-testid="declaration-grouping-setting"
        />
        <Typography.Text type="secondary">{t('inspection.supervisionNote')}</Typography.Text>
      </Space>
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Declaration>
          rowKey="id"
          size="small"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          expandable={{ expandedRowRender: (r) => <Parcels id={r.id} /> }}
          locale={{ emptyText: <Empty description={t('inspection.noDeclarations')} /> }}
        />
      )}
    </Page>
  );
}
