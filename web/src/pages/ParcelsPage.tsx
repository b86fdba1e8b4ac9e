import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { documentKey, type ClearanceDocument } from '../clearance.ts';
import { DocumentList } from '../components/Documents.tsx';
import { Page } from '../components/Page.tsx';
import { useSession } from '../session.tsx';
import { CancelInventoryButton, CancelInventoryDialog, mayCancel } from './InventoryCancelFiling.tsx';

/**
 * 我的包裹 (seller) / 申报的清单 (broker): the inventories the organisation is party to, with their
 * status; a click opens the parcel with its status timeline, linked order and waybill, receipts.
 * Either may cancel (CEB605) an inventory that has not departed.
 */
export default function ParcelsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [cancelling, setCancelling] = useState<ClearanceDocument | null>(null);
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
    // 撤销 (CEB605): the seller or its declaring agent withdraws an inventory not yet departed
    ...(mayCancel(session)
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, d: ClearanceDocument) => (
              <CancelInventoryButton doc={d} onCancel={() => setCancelling(d)} testId={`parcels-cancel-${documentKey(d)}`} />
            ),
          },
        ]
      : []),
  ];
  return (
    <Page title={isSeller ? t('parcels.title') : t('parcels.brokerTitle')} testId="parcels-title">
      <DocumentList kind="inventory" testId="parcels" extraColumns={extra} />
      {cancelling ? <CancelInventoryDialog doc={cancelling} session={session} onClose={() => setCancelling(null)} /> : null}
    </Page>
  );
}
