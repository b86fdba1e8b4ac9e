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
  lines: { sku: string; qty: number; allocated: number }[];
  createdAt: string;
}

/** How each declaration source reads (Chinese first): verified against customs, or taken as typed. */
const SOURCE: Record<
  Consignment['declarationSource'],
  { color: string; zh: string; en: string; hintZh: string; hintEn: string }
> = {
  inventory: {
    color: 'green',
    zh: '已核验 · 清单',
    en: 'Verified · inventory',
    hintZh: '平台海关数据中的出口清单，放行时间取自海关',
    hintEn: 'an export inventory in the platform’s customs records; release time from customs',
  },
  summary: {
    color: 'green',
    zh: '已核验 · 报关单',
    en: 'Verified · declaration',
    hintZh: '平台汇总申报形成的报关单，放行时间取自海关',
    hintEn: 'a summary export declaration of the platform; release time from customs',
  },
  external: {
    color: 'orange',
    zh: '外部申报 · 未核验',
    en: 'External · unverified',
    hintZh: '一般贸易（0110）在平台外申报，报关单号和放行时间按填写记录',
    hintEn: 'general trade (0110) declared outside the platform: number and release time as typed',
  },
  legacy: {
    color: 'default',
    zh: '未核验（历史）',
    en: 'Unverified (legacy)',
    hintZh: '核验上线前入仓，按填写记录',
    hintEn: 'received before verification existed: as typed',
  },
};

/**
 * The overseas warehouse ledger per SKU (what went in, is reserved by retail orders, left, came
 * back), and the consignments behind it with their export declarations: verified against the
 * platform's customs records, or external (0110).
 */
export default function OverseasStockPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const en = locale === 'en';
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
          { title: t('overseas.available'), dataIndex: 'available', align: 'right' },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {en ? 'Consignments and their export declarations' : '入仓批次及出口申报'}
      </Typography.Title>
      {consignments.error ? <LoadError error={consignments.error} onRetry={() => void consignments.refetch()} /> : null}
      <Table<Consignment>
        rowKey="id"
        loading={consignments.isLoading}
        dataSource={consignments.data ?? []}
        data-testid="overseas-consignments"
        columns={[
          { title: t('overseas.warehouse'), dataIndex: 'warehouseCode' },
          { title: en ? 'Declaration no.' : '报关单/清单号', dataIndex: 'declarationNo' },
          { title: en ? 'Trade mode' : '监管方式', dataIndex: 'tradeMode' },
          {
            title: en ? 'Declaration check' : '申报核验',
            dataIndex: 'declarationSource',
            render: (s: Consignment['declarationSource']) => (
              <Tooltip title={en ? SOURCE[s].hintEn : SOURCE[s].hintZh}>
                <Tag color={SOURCE[s].color} data-testid={`consignment-source-${s}`}>
                  {en ? SOURCE[s].en : SOURCE[s].zh}
                </Tag>
              </Tooltip>
            ),
          },
          {
            title: en ? 'Released' : '放行时间',
            dataIndex: 'releasedAt',
            render: (v: string, c) =>
              c.releasedAtTyped && c.declarationVerified && c.releasedAtTyped !== v ? (
                <Tooltip
                  title={
                    en
                      ? `from customs; typed ${formatDateTime(c.releasedAtTyped, locale)}`
                      : `取自海关；填写为 ${formatDateTime(c.releasedAtTyped, locale)}`
                  }
                >
                  {formatDateTime(v, locale)} *
                </Tooltip>
              ) : (
                formatDateTime(v, locale)
              ),
          },
          {
            title: en ? 'Lines (SKU qty)' : '商品（SKU 数量）',
            dataIndex: 'lines',
            render: (lines: Consignment['lines']) => lines.map((l) => `${l.sku} ${l.qty}`).join('，'),
          },
        ]}
      />
    </Page>
  );
}
