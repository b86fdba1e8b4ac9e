import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Space, Table, Tag, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ImportErrorsTable } from '../components/ImportErrorsTable.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { useSession } from '../session.tsx';
import { DeskEnterpriseAccounts, useDeskAccounts } from './SettlementAccountsPages.tsx';
import { StatsChart } from './StatsChart.tsx';

interface PeriodRow {
  period: string;
  currency: string;
  declared: string;
  received: string;
  difference: string;
  status: string;
  overdue: boolean;
}
interface Recon {
  orgId: string;
  ebcName: string;
  periods: PeriodRow[];
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
        { title: t('sumx.period'), dataIndex: 'period' },
        { title: t('sumx.currency'), dataIndex: 'currency' },
        { title: t('sumx.declared'), dataIndex: 'declared' },
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
  return (
    <Page title={t('sumx.forexDeskTitle')} testId="forex-desk-title">
      {q.error ? (
        <LoadError error={q.error} />
      ) : (
        <>
          {recon.map((e) => (
            <div key={e.orgId} style={{ marginBottom: 16 }}>
              <b>{e.ebcName}</b>
              <PeriodsTable rows={e.periods} testId={`forex-desk-${e.orgId}`} />
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
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['pboc-desk'],
    queryFn: ({ signal }) =>
      api<{ id: string; institutionCode: string; ebcCode: string; refNo: string; amount: string; settledOn: string }[]>(
        '/pboc/settlements-lacking-evidence',
        {
          signal,
        },
      ),
  });
  return (
    <Page title={t('sumx.pbocTitle')} testId="pboc-title">
      {q.error ? (
        <LoadError error={q.error} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          dataSource={q.data ?? []}
          columns={[
            { title: t('sumx.refNo'), dataIndex: 'refNo' },
            { title: 'institution', dataIndex: 'institutionCode' },
            { title: t('sumx.enterprise'), dataIndex: 'ebcCode' },
            { title: t('sumx.amount'), dataIndex: 'amount' },
            { title: t('sumx.settledOn'), dataIndex: 'settledOn' },
          ]}
        />
      )}
    </Page>
  );
}

interface ImportOutcome {
  imported: number;
  rejected: number;
  errors: { row: number; problems: { field: string; rule: string; message: { zh: string; en: string } }[] }[];
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
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SettlementForm>();
  const save = useMutation({
    mutationFn: (v: SettlementForm) =>
      api<{ id: string; lacksEvidence: boolean }>('/forex/rmb-settlements', {
        method: 'POST',
        body: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== '')),
      }),
    onSuccess: (r) => {
      void (r.lacksEvidence ? message.warning(t('fxin.savedNoEvidence')) : message.success(t('fxin.saved')));
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
