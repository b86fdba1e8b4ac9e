import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ClearanceDocument } from '../clearance.ts';
import { DocumentList } from '../components/Documents.tsx';
import { Page } from '../components/Page.tsx';
import { useSession } from '../session.tsx';

/**
 * 我的包裹 (seller) / 申报的清单 (broker): the inventories the organisation is party to, with their
 * status; a click opens the parcel with its status timeline, linked order and waybill, receipts.
 */
export default function ParcelsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const isSeller = session.user.organisation?.roles.includes('ebc') ?? false;
  const extra: TableColumnsType<ClearanceDocument> = [
    { title: t('clr.logisticsNo'), key: 'logisticsNo', render: (_: unknown, d) => d.head.logisticsNo ?? '—' },
    {
      title: t('clr.total'),
      key: 'total',
      align: 'right',
      render: (_: unknown, d) => String(d.lines.reduce((a, l) => a + (Number(l.totalPrice) || 0), 0)),
    },
    { title: t('clr.agentName'), key: 'agent', render: (_: unknown, d) => d.head.agentName ?? '—' },
  ];
  return (
    <Page title={isSeller ? t('parcels.title') : t('parcels.brokerTitle')} testId="parcels-title">
      <DocumentList kind="inventory" testId="parcels" extraColumns={extra} />
    </Page>
  );
}
