import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';

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

/** The overseas warehouse ledger per SKU: what went in, is reserved by retail orders, left, came back. */
export default function OverseasStockPage() {
  const { t } = useTranslation();
  const stock = useQuery({ queryKey: ['overseas', 'stock'], queryFn: () => api<Balance[]>('/overseas/stock') });
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
    </Page>
  );
}
