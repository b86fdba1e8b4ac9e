import type { TableColumnsType } from 'antd';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ClearanceDocument, DocKind } from '../clearance.ts';
import { DocumentList } from '../components/Documents.tsx';
import { Page } from '../components/Page.tsx';
import type { MessageKey } from '../i18n/zh-CN.ts';

function KindPage({ kind, titleKey, testId }: { kind: DocKind; titleKey: MessageKey; testId: string }) {
  const { t } = useTranslation();
  const extra: TableColumnsType<ClearanceDocument> = [
    { title: t('clr.billNo'), key: 'billNo', render: (_: unknown, d) => d.head.billNo ?? '—' },
    {
      title: t('clr.lines'),
      key: 'count',
      render: (_: unknown, d) => (d.lines.length ? d.lines.length : '—'),
    },
    { title: t('clr.grossWeight'), key: 'grossWeight', render: (_: unknown, d) => d.head.grossWeight ?? '—' },
  ];
  return (
    <Page title={t(titleKey)} testId={`${testId}-title`}>
      <DocumentList kind={kind} testId={testId} extraColumns={kind === 'waybill' ? extra.slice(2) : extra} />
    </Page>
  );
}

/** 运单 */
export function WaybillsPage() {
  return <KindPage kind="waybill" titleKey="logistics.waybills" testId="waybills" />;
}

/** 运抵单 */
export function ArrivalsPage() {
  return <KindPage kind="arrival" titleKey="logistics.arrivals" testId="arrivals" />;
}

/** 总分单 */
export function ConsolidationsPage() {
  return <KindPage kind="consolidation" titleKey="logistics.consolidations" testId="consolidations" />;
}

/** 离境单 */
export function DeparturesPage() {
  return <KindPage kind="departure" titleKey="logistics.departures" testId="departures" />;
}

/** 单证查询: any key (orderNo, logisticsNo, invtNo, preNo, copNo) across every kind. */
export function SearchPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('search.title')} testId="search-title">
      <Typography.Paragraph type="secondary">{t('search.hint')}</Typography.Paragraph>
      <DocumentList testId="search" kindFilter />
    </Page>
  );
}
