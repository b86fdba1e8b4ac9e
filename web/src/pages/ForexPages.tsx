import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Row, Space, Table, Tag, Upload } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ImportErrorsTable } from '../components/ImportErrorsTable.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { useSession } from '../session.tsx';
import { DeskEnterpriseAccounts, useDeskAccounts } from './SettlementAccountsPages.tsx';
import { ImportFlagged, OverCapCard, OverCapDeskAlert, type OverCap } from './ForexOverCap.tsx';
import { StatsChart } from './StatsChart.tsx';

/** A receipt record not matched to a declaration, with the reason in both languages (as the API gives it). */
interface UnmatchedReceipt {
  id: string;
  institutionKind: string;
  institutionCode: string;
  refNo: string;
  orderNo: string;
  currency: string;
  amount: string;
  receivedOn: string;
  reason: string;
  message: { zh: string; en: string };
}
interface PeriodRow {
  /** the month of export (the declarations' period): whatever was received for its declarations counts here */
  period: string;
  currency: string;
  declared: string;
  receivedCeb403: string;
  receivedBank: string;
  receivedRmb: string;
  received: string;
  difference: string;
  status: string;
  overdue: boolean;
  matchedReceipts: number;
  matchedSettlements: number;
}
/** Receipt records matched to no declaration: listed apart, never counted as received for a period. */
interface Unmatched {
  receipts: number;
  totals: { month: string; currency: string; receipts: number; amount: string }[];
  listed: UnmatchedReceipt[];
}
interface Recon {
  orgId: string;
  ebcName: string;
  periods: PeriodRow[];
  unmatched?: Unmatched;
  overCap?: OverCap;
}

/** The API lists at most this many unmatched receipts per enterprise (forex.reconciliation.ts). */
const UNMATCHED_LISTED = 100;

/**
 * Receipt records of an enterprise matched to no declaration, with the reason for each (no order
 * number, or the order is not one the enterprise declared): the count and the sums per month
 * received, then the list. They are not part of any period's received amount.
 */
function UnmatchedReceipts({ unmatched, testId }: { unmatched: Unmatched | undefined; testId: string }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const count = unmatched?.receipts ?? 0;
  const listed = unmatched?.listed ?? [];
  return (
    <Card
      size="small"
      style={{ marginTop: 8 }}
      title={
        <Space>
          {t('fxin.unmatchedTitle')}
          <Tag color={count ? 'orange' : 'green'} data-testid={`${testId}-count`}>
            {count}
          </Tag>
        </Space>
      }
      data-testid={testId}
    >
      {count === 0 ? (
        <span>{t('fxin.unmatchedNone')}</span>
      ) : (
        <>
          <p data-testid={`${testId}-totals`}>
            {(unmatched?.totals ?? []).map((x) => `${x.month} ${x.currency} ${x.amount} (${x.receipts})`).join('；')}
          </p>
          {listed.length < count ? (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 8 }}
              message={t('fxin.unmatchedListed', { n: UNMATCHED_LISTED })}
            />
          ) : null}
          <Table<UnmatchedReceipt>
            size="small"
            rowKey="id"
            dataSource={listed}
            pagination={listed.length > 20 ? { pageSize: 20 } : false}
            data-testid={`${testId}-list`}
            columns={[
              { title: t('sumx.refNo'), dataIndex: 'refNo' },
              { title: t('fxin.institution'), dataIndex: 'institutionCode' },
              { title: t('fxin.orderNo'), dataIndex: 'orderNo', render: (v: string) => v || '—' },
              { title: t('sumx.currency'), dataIndex: 'currency' },
              { title: t('sumx.amount'), dataIndex: 'amount' },
              { title: t('fxin.receivedOn'), dataIndex: 'receivedOn' },
              { title: t('fxin.reason'), render: (_, r) => (en ? r.message.en : r.message.zh) },
            ]}
          />
        </>
      )}
    </Card>
  );
}

function PeriodsTable({ rows, testId }: { rows: PeriodRow[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table<PeriodRow>
      size="small"
      rowKey={(r) => `${r.period}|${r.currency}`}
      dataSource={rows}
      pagination={false}
      data-testid={testId}
      columns={[
        { title: t('fxin.exportMonth'), dataIndex: 'period' },
        { title: t('sumx.currency'), dataIndex: 'currency' },
        { title: t('sumx.declared'), dataIndex: 'declared' },
        { title: t('fxin.viaCeb403'), dataIndex: 'receivedCeb403' },
        {
          title: t('fxin.viaBank'),
          render: (_, r) => `${r.receivedBank}${r.matchedReceipts ? ` (${r.matchedReceipts})` : ''}`,
        },
        {
          title: t('fxin.viaRmb'),
          render: (_, r) => `${r.receivedRmb}${r.matchedSettlements ? ` (${r.matchedSettlements})` : ''}`,
        },
        { title: t('sumx.received'), dataIndex: 'received' },
        { title: t('sumx.difference'), dataIndex: 'difference' },
        {
          title: t('sumx.status'),
          render: (_, r) => <Tag color={r.status === 'matched' ? 'green' : r.overdue ? 'red' : 'orange'}>{r.status}</Tag>,
        },
      ]}
    />
  );
}

/** Chart labels the shared message catalogue does not carry: Chinese first, English second. */
const CHART_LABEL = {
  periodsChart: { zh: '各期间申报金额与已收汇（按币制合计）', en: 'Declared vs received per period (summed per currency)' },
  statusChart: { zh: '各核对状态的企业数', en: 'Enterprises per reconciliation status' },
  enterprises: { zh: '企业数', en: 'Enterprises' },
  pbocChart: { zh: '缺少材料的结算：按月与机构', en: 'Settlements lacking evidence, per month and institution' },
  settlements: { zh: '结算笔数', en: 'Settlements' },
  amountCny: { zh: '金额合计（元）', en: 'Total amount (CNY)' },
  noData: { zh: '暂无数据', en: 'No data' },
  institution: { zh: '支付/银行机构', en: 'Institution' },
} as const;

/** Reconciliation statuses as the API names them; "overdue" is an under-received period past its deadline. */
const STATUS_LABEL: Record<string, { zh: string; en: string }> = {
  matched: { zh: '已核平', en: 'Matched' },
  under_received: { zh: '收汇不足', en: 'Under-received' },
  overdue: { zh: '逾期未收汇', en: 'Overdue' },
  over_received: { zh: '超额收汇', en: 'Over-received' },
  undeclared: { zh: '未申报', en: 'Undeclared' },
};
const STATUS_COLOR: Record<string, string> = {
  matched: '#52c41a',
  under_received: '#fa8c16',
  overdue: '#f5222d',
  over_received: '#1677ff',
  undeclared: '#8c8c8c',
};

/** A centred "no data" note for a chart whose series are empty (ECharts draws bare axes otherwise). */
const emptyNote = (empty: boolean, text: string) =>
  empty ? { title: { text, left: 'center', top: 'middle', textStyle: { color: '#8c8c8c', fontSize: 14 } } } : {};

/** "12.50" → 1250: sums in cents, so amounts add up without floating-point drift. */
const cents = (v: string): number => Math.round(Number(v) * 100) || 0;
const yuan = (c: number): number => c / 100;

function useChartLabel() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return useMemo(
    () => ({
      label: (k: keyof typeof CHART_LABEL) => (en ? CHART_LABEL[k].en : CHART_LABEL[k].zh),
      status: (s: string) => (STATUS_LABEL[s] ? (en ? STATUS_LABEL[s].en : STATUS_LABEL[s].zh) : s),
    }),
    [en],
  );
}

/** The desk's two charts: declared vs received per period and currency, and enterprises per status. */
function ForexDeskCharts({ recon }: { recon: Recon[] }) {
  const { t } = useTranslation();
  const { label, status } = useChartLabel();
  const periods = useMemo(() => {
    const m = new Map<string, { declared: number; received: number }>();
    for (const e of recon)
      for (const p of e.periods) {
        const key = `${p.period} ${p.currency}`;
        const v = m.get(key) ?? { declared: 0, received: 0 };
        v.declared += cents(p.declared);
        v.received += cents(p.received);
        m.set(key, v);
      }
    return [...m].sort(([a], [b]) => a.localeCompare(b));
  }, [recon]);
  // An enterprise counts once under every status one of its periods has (overdue apart from merely short).
  const statuses = useMemo(() => {
    const m = new Map<string, Set<string>>(Object.keys(STATUS_LABEL).map((s) => [s, new Set()]));
    for (const e of recon)
      for (const p of e.periods) {
        const s = p.overdue ? 'overdue' : p.status;
        if (!m.has(s)) m.set(s, new Set());
        m.get(s)!.add(e.orgId);
      }
    return [...m].map(([s, orgs]) => ({ s, n: orgs.size }));
  }, [recon]);
  const periodsOption = useMemo(
    () => ({
      ...emptyNote(periods.length === 0, label('noData')),
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 60, right: 20, bottom: 40 },
      xAxis: { type: 'category', data: periods.map(([k]) => k) },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('sumx.declared'), data: periods.map(([, v]) => yuan(v.declared)) },
        { type: 'bar', name: t('sumx.received'), data: periods.map(([, v]) => yuan(v.received)) },
      ],
    }),
    [periods, t, label],
  );
  const statusOption = useMemo(
    () => ({
      ...emptyNote(recon.length === 0, label('noData')),
      tooltip: {},
      grid: { left: 40, right: 20, bottom: 40 },
      xAxis: { type: 'category', data: statuses.map((x) => status(x.s)), axisLabel: { interval: 0 } },
      yAxis: { type: 'value', name: label('enterprises'), minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: label('enterprises'),
          data: statuses.map((x) => ({ value: x.n, itemStyle: { color: STATUS_COLOR[x.s] ?? '#722ed1' } })),
        },
      ],
    }),
    [statuses, recon.length, label, status],
  );
  return (
    <Row gutter={16} style={{ marginBottom: 16 }}>
      <Col xs={24} lg={14}>
        <Card size="small" title={label('periodsChart')} data-testid="forex-desk-chart-periods">
          <StatsChart option={periodsOption} height={260} />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card size="small" title={label('statusChart')} data-testid="forex-desk-chart-status">
          <StatsChart option={statusOption} height={260} />
        </Card>
      </Col>
    </Row>
  );
}

interface EvidenceReason {
  reason: string;
  message: { zh: string; en: string };
}
interface LackingSettlement {
  id: string;
  institutionCode: string;
  ebcCode: string;
  refNo: string;
  amount: string;
  settledOn: string;
  contractNo: string | null;
  orderNo: string | null;
  invoiceNo: string | null;
  entryId: string | null;
  /** why it lacks evidence: nothing named, or the named order / declaration was not found */
  reasons: EvidenceReason[];
}

/**
 * Settlements lacking evidence per month, stacked by institution, with the month's total amount.
 * The API lists only settlements lacking evidence, so those with evidence cannot be shown here.
 */
function PbocDeskChart({ rows }: { rows: LackingSettlement[] }) {
  const { label } = useChartLabel();
  const option = useMemo(() => {
    const months = [...new Set(rows.map((r) => r.settledOn.slice(0, 7)))].sort();
    const institutions = [...new Set(rows.map((r) => r.institutionCode))].sort();
    const count = (m: string, i: string) => rows.filter((r) => r.settledOn.startsWith(m) && r.institutionCode === i).length;
    const total = (m: string) => rows.filter((r) => r.settledOn.startsWith(m)).reduce((s, r) => s + cents(r.amount), 0);
    return {
      ...emptyNote(rows.length === 0, label('noData')),
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 50, right: 80, bottom: 40 },
      xAxis: { type: 'category', data: months },
      yAxis: [
        { type: 'value', name: label('settlements'), minInterval: 1 },
        { type: 'value', name: label('amountCny'), splitLine: { show: false } },
      ],
      series: [
        ...institutions.map((i) => ({ type: 'bar', stack: 'n', name: i, data: months.map((m) => count(m, i)) })),
        { type: 'line', name: label('amountCny'), yAxisIndex: 1, data: months.map((m) => yuan(total(m))) },
      ],
    };
  }, [rows, label]);
  return (
    <Card size="small" title={label('pbocChart')} style={{ marginBottom: 16 }} data-testid="pboc-desk-chart">
      <StatsChart option={option} height={260} />
    </Card>
  );
}

/** 收汇核对: the seller's receipts vs declarations, per month and currency. */
export function ForexReconciliationPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['forex-recon'], queryFn: ({ signal }) => api<Recon>('/forex/reconciliation', { signal }) });
  const rows = q.data?.periods ?? [];
  return (
    <Page title={t('sumx.forexTitle')} testId="forex-title">
      {q.error ? (
        <LoadError error={q.error} />
      ) : (
        <>
          <StatsChart
            height={240}
            option={{
              tooltip: {},
              legend: {},
              xAxis: { type: 'category', data: rows.map((r) => `${r.period} ${r.currency}`) },
              yAxis: { type: 'value' },
              series: [
                { type: 'bar', name: t('sumx.declared'), data: rows.map((r) => Number(r.declared)) },
                { type: 'bar', name: t('sumx.received'), data: rows.map((r) => Number(r.received)) },
              ],
            }}
          />
          <PeriodsTable rows={rows} testId="forex-periods" />
          <UnmatchedReceipts unmatched={q.data?.unmatched} testId="forex-unmatched" />
          <OverCapCard overCap={q.data?.overCap} testId="forex-overcap" />
        </>
      )}
    </Page>
  );
}

/** 外汇核查: enterprise-level reconciliation for the forex officer. */
export function ForexDeskPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['forex-desk'], queryFn: ({ signal }) => api<Recon[]>('/forex/desk', { signal }) });
  // FX settlement accounts and balances of the same enterprises (and of those with accounts only).
  const accounts = useDeskAccounts();
  const recon = q.data ?? [];
  const accountsOnly = (accounts.data ?? []).filter((a) => !recon.some((e) => e.orgId === a.orgId));
  const deskUnmatched = recon.reduce((n, e) => n + (e.unmatched?.receipts ?? 0), 0);
  return (
    <Page title={t('sumx.forexDeskTitle')} testId="forex-desk-title">
      {q.error ? (
        <LoadError error={q.error} />
      ) : (
        <>
          <ForexDeskCharts recon={recon} />
          <Alert
            type={deskUnmatched ? 'warning' : 'success'}
            showIcon
            style={{ marginBottom: 16 }}
            message={t('fxin.deskUnmatched', { count: deskUnmatched })}
            data-testid="forex-desk-unmatched"
          />
          <OverCapDeskAlert recon={recon} />
          {recon.map((e) => (
            <div key={e.orgId} style={{ marginBottom: 16 }}>
              <b>{e.ebcName}</b>
              <PeriodsTable rows={e.periods} testId={`forex-desk-${e.orgId}`} />
              {e.unmatched?.receipts ? (
                <UnmatchedReceipts unmatched={e.unmatched} testId={`forex-desk-unmatched-${e.orgId}`} />
              ) : null}
              {e.overCap?.receipts ? <OverCapCard overCap={e.overCap} testId={`forex-desk-overcap-${e.orgId}`} /> : null}
              <DeskEnterpriseAccounts enterprise={accounts.data?.find((a) => a.orgId === e.orgId)} />
            </div>
          ))}
          {accountsOnly.map((a) => (
            <div key={a.orgId} style={{ marginBottom: 16 }}>
              <b>{a.ebcName}</b>
              <DeskEnterpriseAccounts enterprise={a} />
            </div>
          ))}
          {accounts.error ? <LoadError error={accounts.error} /> : null}
        </>
      )}
    </Page>
  );
}

/** 人民币结算核查: settlements lacking trade-authenticity evidence (central bank). */
export function PbocDeskPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { label } = useChartLabel();
  const q = useQuery({
    queryKey: ['pboc-desk'],
    queryFn: ({ signal }) => api<LackingSettlement[]>('/pboc/settlements-lacking-evidence', { signal }),
  });
  const rows = q.data ?? [];
  return (
    <Page title={t('sumx.pbocTitle')} testId="pboc-title">
      {q.error ? (
        <LoadError error={q.error} />
      ) : (
        <>
          <PbocDeskChart rows={rows} />
          <Table
            size="small"
            rowKey="id"
            dataSource={rows}
            columns={[
              { title: t('sumx.refNo'), dataIndex: 'refNo' },
              { title: label('institution'), dataIndex: 'institutionCode' },
              { title: t('sumx.enterprise'), dataIndex: 'ebcCode' },
              { title: t('sumx.amount'), dataIndex: 'amount' },
              { title: t('sumx.settledOn'), dataIndex: 'settledOn' },
              {
                title: t('fxin.evidenceNamed'),
                render: (_, r: LackingSettlement) =>
                  (
                    [
                      [t('fxin.contractNo'), r.contractNo],
                      [t('fxin.orderNo'), r.orderNo],
                      [t('fxin.invoiceNo'), r.invoiceNo],
                      [t('fxin.entryId'), r.entryId],
                    ] as const
                  )
                    .filter(([, v]) => v)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join('; ') || '—',
              },
              {
                title: t('fxin.evidenceReasons'),
                render: (_, r: LackingSettlement) => (
                  <Space direction="vertical" size={0}>
                    {(r.reasons ?? []).map((x) => (
                      <Tag key={x.reason} color={x.reason === 'no_evidence' ? 'red' : 'orange'}>
                        {en ? x.message.en : x.message.zh}
                      </Tag>
                    ))}
                  </Space>
                ),
              },
            ]}
          />
        </>
      )}
    </Page>
  );
}

interface ImportOutcome {
  imported: number;
  rejected: number;
  errors: { row: number; problems: { field: string; rule: string; message: { zh: string; en: string } }[] }[];
  flagged?: { row: number; refNo: string; usdAmount: string }[];
}

const CSV_HEADER = 'refNo,institutionKind,institutionCode,ebcCode,orderNo,currency,amount,receivedOn,payerName';

/** Bank / payment-institution receipt records as CSV; every refused row is listed with its problems. */
function ReceiptImportCard() {
  const { t, i18n } = useTranslation();
  const [csv, setCsv] = useState(`${CSV_HEADER}\n`);
  const run = useMutation({
    mutationFn: (text: string) => api<ImportOutcome>('/forex/receipts/import', { method: 'POST', body: { csv: text } }),
  });
  const rows = (run.data?.errors ?? []).flatMap((e) =>
    e.problems.map((p, i) => ({
      key: `${e.row}-${i}`,
      row: e.row,
      field: p.field,
      rule: p.rule,
      message: i18n.language === 'en' ? p.message.en : p.message.zh,
    })),
  );
  return (
    <Card size="small" title={t('fxin.importTitle')} style={{ marginBottom: 16 }} data-testid="forex-import">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Upload
          accept=".csv,text/csv"
          showUploadList={false}
          beforeUpload={(file) => {
            void file.text().then(setCsv);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />}>{t('fxin.chooseFile')}</Button>
        </Upload>
        <Input.TextArea rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} data-testid="forex-import-csv" />
        <Button type="primary" loading={run.isPending} onClick={() => run.mutate(csv)} data-testid="forex-import-run">
          {t('fxin.import')}
        </Button>
        {run.error ? <Alert type="error" showIcon message={run.error.message} /> : null}
        {run.data ? (
          <Alert
            type={run.data.rejected ? 'warning' : 'success'}
            showIcon
            message={t('fxin.result', { imported: run.data.imported, rejected: run.data.rejected })}
            data-testid="forex-import-result"
          />
        ) : null}
        <ImportFlagged flagged={run.data?.flagged} />
        <ImportErrorsTable rows={rows} testId="forex-import-errors" />
      </Space>
    </Card>
  );
}

interface SettlementForm {
  refNo: string;
  ebcCode: string;
  amount: string;
  settledOn: string;
  contractNo?: string;
  orderNo?: string;
  invoiceNo?: string;
  entryId?: string;
}

/** A cross-border RMB settlement with its trade-authenticity evidence (contract, order, invoice, declaration). */
function SettlementCard() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SettlementForm>();
  const save = useMutation({
    mutationFn: (v: SettlementForm) =>
      api<{ id: string; lacksEvidence: boolean; reasons?: EvidenceReason[] }>('/forex/rmb-settlements', {
        method: 'POST',
        body: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== '')),
      }),
    onSuccess: (r) => {
      const why = (r.reasons ?? []).map((x) => (i18n.language === 'en' ? x.message.en : x.message.zh)).join('; ');
      void (r.lacksEvidence
        ? message.warning(why ? `${t('fxin.savedNoEvidence')}: ${why}` : t('fxin.savedNoEvidence'))
        : message.success(t('fxin.saved')));
      form.resetFields();
    },
    onError: (e: Error) => void message.error(e.message),
  });
  return (
    <Card size="small" title={t('fxin.settlementTitle')} data-testid="rmb-settlement">
      <Form<SettlementForm> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} style={{ maxWidth: 720 }}>
        <Space wrap>
          <Form.Item name="refNo" label={t('sumx.refNo')} rules={[{ required: true, max: 60 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="ebcCode" label={t('sumx.enterprise')} rules={[{ required: true, pattern: /^(\w{10}|\w{18})$/ }]}>
            <Input placeholder="3601260888" />
          </Form.Item>
          <Form.Item
            name="amount"
            label={`${t('sumx.amount')} (CNY)`}
            rules={[{ required: true, pattern: /^\d{1,15}(\.\d{1,2})?$/ }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="settledOn" label={t('sumx.settledOn')} rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/ }]}>
            <Input placeholder="2026-11-06" />
          </Form.Item>
        </Space>
        <div>{t('fxin.evidence')}</div>
        <Space wrap>
          <Form.Item name="contractNo" label={t('fxin.contractNo')}>
            <Input />
          </Form.Item>
          <Form.Item name="orderNo" label={t('fxin.orderNo')}>
            <Input />
          </Form.Item>
          <Form.Item name="invoiceNo" label={t('fxin.invoiceNo')}>
            <Input />
          </Form.Item>
          <Form.Item name="entryId" label={t('fxin.entryId')}>
            <Input />
          </Form.Item>
        </Space>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('fxin.record')}
        </Button>
      </Form>
    </Card>
  );
}

/** 收汇与结算报送: receipt records (CSV) and, for payment institutions, RMB settlements. */
export function ForexSubmitPage() {
  const { t } = useTranslation();
  const session = useSession();
  const payment = session.user.organisation?.roles.includes('payment') ?? false;
  return (
    <Page title={t('fxin.title')} testId="forex-submit">
      <ReceiptImportCard />
      {payment ? <SettlementCard /> : null}
    </Page>
  );
}
