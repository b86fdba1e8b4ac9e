import { Alert, Card, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';

/** A payment-institution receipt over the USD 50,000 single-transaction cap (汇发〔2015〕7号), as the API lists it. */
export interface OverCapReceipt {
  channel: 'ceb403' | 'record';
  id: string;
  institutionCode: string;
  refNo: string;
  orderNo: string;
  currency: string;
  amount: string;
  usdAmount: string;
  rateVersion: string | null;
  receivedOn: string;
  message: { zh: string; en: string };
}
export interface OverCap {
  receipts: number;
  usd: string;
  /** per month received and currency */
  months?: { month: string; currency: string; receipts: number; usd: string }[];
  listed: OverCapReceipt[];
}

/** The API lists at most this many over-cap receipts per enterprise (forex.service.ts). */
const OVER_CAP_LISTED = 100;

/**
 * An enterprise's receipts over the payment institutions' cap, whatever their channel (a CEB403
 * collection through customs, or a reported record): stored, counted and flagged, never refused.
 */
export function OverCapCard({ overCap, testId }: { overCap: OverCap | undefined; testId: string }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const n = overCap?.receipts ?? 0;
  const listed = overCap?.listed ?? [];
  return (
    <Card
      size="small"
      style={{ marginTop: 8 }}
      data-testid={testId}
      title={
        <Space>
          {t('fxcap.title')}
          <Tag color={n ? 'red' : 'green'} data-testid={`${testId}-count`}>
            {n}
          </Tag>
        </Space>
      }
    >
      {n === 0 ? (
        <span>{t('fxcap.none')}</span>
      ) : (
        <>
          <p>{t('fxcap.summary', { count: n, usd: overCap?.usd ?? '0' })}</p>
          {overCap?.months?.length ? (
            <p data-testid={`${testId}-months`}>
              {overCap.months.map((m) => `${m.month} ${m.currency}: ${m.receipts} ≈ USD ${m.usd}`).join('；')}
            </p>
          ) : null}
          {listed.length < n ? (
            <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t('fxcap.listed', { n: OVER_CAP_LISTED })} />
          ) : null}
          <Table<OverCapReceipt>
            size="small"
            rowKey={(r) => `${r.channel}|${r.id}`}
            dataSource={listed}
            pagination={listed.length > 20 ? { pageSize: 20 } : false}
            data-testid={`${testId}-list`}
            columns={[
              {
                title: t('fxcap.channel'),
                dataIndex: 'channel',
                render: (c: OverCapReceipt['channel']) => <Tag>{t(c === 'ceb403' ? 'fxcap.ceb403' : 'fxcap.record')}</Tag>,
              },
              { title: t('sumx.refNo'), dataIndex: 'refNo' },
              { title: t('fxin.institution'), dataIndex: 'institutionCode' },
              { title: t('fxin.orderNo'), dataIndex: 'orderNo', render: (v: string) => v || '—' },
              { title: t('sumx.currency'), dataIndex: 'currency' },
              { title: t('sumx.amount'), dataIndex: 'amount' },
              { title: t('fxcap.usd'), dataIndex: 'usdAmount' },
              { title: t('fxin.receivedOn'), dataIndex: 'receivedOn' },
              { title: t('fxin.reason'), render: (_, r) => (en ? r.message.en : r.message.zh) },
            ]}
          />
        </>
      )}
    </Card>
  );
}

/** The desk's count of over-cap receipts across the jurisdiction's enterprises. */
export function OverCapDeskAlert({ recon }: { recon: { overCap?: OverCap }[] }) {
  const { t } = useTranslation();
  const count = recon.reduce((n, e) => n + (e.overCap?.receipts ?? 0), 0);
  if (!count) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      message={t('fxcap.deskAlert', { count })}
      data-testid="forex-desk-overcap"
    />
  );
}

/** Imported rows over the cap: stored with the finding, not refused. */
export function ImportFlagged({ flagged }: { flagged: { row: number; refNo: string; usdAmount: string }[] | undefined }) {
  const { t } = useTranslation();
  if (!flagged?.length) return null;
  return (
    <Alert
      type="warning"
      showIcon
      message={t('fxcap.importFlagged', { count: flagged.length })}
      description={flagged.map((f) => `#${f.row} ${f.refNo} ≈ USD ${f.usdAmount}`).join('；')}
      data-testid="forex-import-flagged"
    />
  );
}
