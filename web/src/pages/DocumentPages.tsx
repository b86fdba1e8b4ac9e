import type { TableColumnsType } from 'antd';
import { Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClearanceDocument, DocKind } from '../clearance.ts';
import { DocumentList } from '../components/Documents.tsx';
import { Page } from '../components/Page.tsx';
import type { MessageKey } from '../i18n/zh-CN.ts';
import { useSession } from '../session.tsx';
import { ArrivalFiling, ConsolidationFiling, DepartureFiling, mayFile } from './SiteFilingForms.tsx';

function KindPage({
  kind,
  titleKey,
  testId,
  filing,
}: {
  kind: DocKind;
  titleKey: MessageKey;
  testId: string;
  /** the form that files this kind, for the roles that may send it */
  filing?: ReactNode;
}) {
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
      {filing}
      <DocumentList kind={kind} testId={testId} extraColumns={kind === 'waybill' ? extra.slice(2) : extra} />
    </Page>
  );
}

/** 运单 */
export function WaybillsPage() {
  return <KindPage kind="waybill" titleKey="logistics.waybills" testId="waybills" />;
}

/** 运抵单: the warehouse operator (or postal carrier) files arrivals here (CEB507). */
export function ArrivalsPage() {
  const session = useSession();
  return (
    <KindPage
      kind="arrival"
      titleKey="logistics.arrivals"
      testId="arrivals"
      filing={mayFile(session, 'arrival') ? <ArrivalFiling /> : null}
    />
  );
}

/** 总分单: the declaring agent or seller files total-sub bills here (CEB607). */
export function ConsolidationsPage() {
  const session = useSession();
  return (
    <KindPage
      kind="consolidation"
      titleKey="logistics.consolidations"
      testId="consolidations"
      filing={mayFile(session, 'consolidation') ? <ConsolidationFiling /> : null}
    />
  );
}

/** 离境单: the carrier files departures here (CEB509). */
export function DeparturesPage() {
  const session = useSession();
  return (
    <KindPage
      kind="departure"
      titleKey="logistics.departures"
      testId="departures"
      filing={mayFile(session, 'departure') ? <DepartureFiling /> : null}
    />
  );
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
