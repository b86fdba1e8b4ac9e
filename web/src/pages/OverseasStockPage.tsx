import { useQuery } from '@tanstack/react-query';
import { Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

interface Balance {
  warehouseId: string;
  warehouseCode: string;
  sku: string;
  in: number;
  reserved: number;
  out: number;
  returned: number;
  /** unsold units sent back to China (退运) */
  toChina: number;
  available: number;
}

interface Consignment {
  id: string;
  warehouseCode: string;
  declarationNo: string;
  tradeMode: string;
  /** inventory | summary: checked against the platform's customs records; external (0110) | legacy: as typed */
  declarationSource: 'inventory' | 'summary' | 'external' | 'legacy';
  declarationVerified: boolean;
  releasedAt: string;
  releasedAtTyped: string | null;
  /** allocated: drawn by retail sales; toChina: sent back to China unsold */
  lines: { sku: string; qty: number; allocated: number; toChina: number }[];
  createdAt: string;
}

/** Verified against customs (green), declared outside the platform (orange), or from before verification. */
const SOURCE_COLOR: Record<Consignment['declarationSource'], string> = {
  inventory: 'green',
  summary: 'green',
  external: 'orange',
  legacy: 'default',
};

/**
 * The overseas warehouse ledger per SKU (what went in, is reserved by retail orders, left, came
 * back), and the consignments behind it with their export declarations: verified against the
 * platform's customs records, or external (0110).
 */
export default function OverseasStockPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const stock = useQuery({ queryKey: ['overseas', 'stock'], queryFn: () => api<Balance[]>('/overseas/stock') });
  const consignments = useQuery({
    queryKey: ['overseas', 'consignments'],
    queryFn: () => api<Consignment[]>('/overseas/consignments'),
  });
  return (
    <Page title={t('overseas.title')} testId="overseas-title">
      {stock.error ? <LoadError error={stock.error} onRetry={() => void stock.refetch()} /> : null}
      <Table<Balance>
        rowKey={(b) => `${b.warehouseId}|${b.sku}`}
        loading={stock.isLoading}
        dataSource={stock.data ?? []}
        data-testid="overseas-stock"
        columns={[
          { title: t('overseas.warehouse'), dataIndex: 'warehouseCode' },
          { title: t('overseas.sku'), dataIndex: 'sku' },
          { title: t('overseas.in'), dataIndex: 'in', align: 'right' },
          { title: t('overseas.reserved'), dataIndex: 'reserved', align: 'right' },
          { title: t('overseas.out'), dataIndex: 'out', align: 'right' },
          { title: t('overseas.returned'), dataIndex: 'returned', align: 'right' },
          { title: t('overseas.toChina'), dataIndex: 'toChina', align: 'right' },
          { title: t('overseas.available'), dataIndex: 'available', align: 'right' },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('overseas.consignments')}
      </Typography.Title>
      {consignments.error ? <LoadError error={consignments.error} onRetry={() => void consignments.refetch()} /> : null}
      <Table<Consignment>
        rowKey="id"
        loading={consignments.isLoading}
        dataSource={consignments.data ?? []}
        data-testid="overseas-consignments"
        columns={[
          { title: t('overseas.warehouse'), dataIndex: 'warehouseCode' },
          { title: t('overseas.declarationNo'), dataIndex: 'declarationNo' },
          { title: t('overseas.tradeMode'), dataIndex: 'tradeMode' },
          {
            title: t('overseas.declarationCheck'),
            dataIndex: 'declarationSource',
            render: (s: Consignment['declarationSource']) => (
              <Tooltip title={t(`overseas.sourceHint.${s}`)}>
                <Tag color={SOURCE_COLOR[s]} data-testid={`consignment-source-${s}`}>
                  {t(`overseas.source.${s}`)}
                </Tag>
              </Tooltip>
            ),
          },
          {
            title: t('overseas.released'),
            dataIndex: 'releasedAt',
            render: (v: string, c) =>
              c.releasedAtTyped && c.declarationVerified && c.releasedAtTyped !== v ? (
                <Tooltip title={t('overseas.releasedTyped', { typed: formatDateTime(c.releasedAtTyped, locale) })}>
                  {formatDateTime(v, locale)} *
                </Tooltip>
              ) : (
                formatDateTime(v, locale)
              ),
          },
          {
            title: t('overseas.consignmentLines'),
            dataIndex: 'lines',
            render: (lines: Consignment['lines']) =>
              lines.map((l) => `${l.sku} ${l.qty}${l.toChina ? ` (${t('overseas.toChina')} ${l.toChina})` : ''}`).join('，'),
          },
        ]}
      />
    </Page>
  );
}
