import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { ImportErrorsTable } from '../components/ImportErrorsTable.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';

/** 结汇账户 (FX settlement accounts) and 结汇 (FX settlements): the seller's page and the forex desk's part. */

interface PeriodFigures {
  period: string;
  received: string;
  settled: string;
  unsettled: string;
}
export interface AccountRow {
  id: string;
  accountKind: string;
  bankName: string;
  bankCode: string;
  accountNo: string;
  currency: string;
  openedOn: string;
  status: string;
  closedOn: string | null;
  received: string;
  settled: string;
  unsettled: string;
  fromUnassigned: string;
  periods: PeriodFigures[];
}
export interface CurrencyRow {
  currency: string;
  received: string;
  settled: string;
  unsettled: string;
  unassigned: string;
  unattributed: string;
  periods: PeriodFigures[];
}
interface SettlementRow {
  id: string;
  accountNo: string;
  settlementRef: string;
  settledOn: string;
  currency: string;
  amount: string;
  rate: string;
  cnyAmount: string;
}
interface Overview {
  accounts: AccountRow[];
  currencies: CurrencyRow[];
  settlements: SettlementRow[];
}
export interface DeskEnterprise {
  orgId: string;
  ebcCode: string;
  ebcName: string;
  accounts: AccountRow[];
  currencies: CurrencyRow[];
}

const today = (): string => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** Accounts with their balances; `onClose` adds the seller's close button. */
export function AccountsTable({ rows, testId, onClose }: { rows: AccountRow[]; testId: string; onClose?: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <Table<AccountRow>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={rows}
      data-testid={testId}
      columns={[
        { title: t('fxacct.accountNo'), dataIndex: 'accountNo' },
        { title: t('fxacct.bankName'), render: (_, r) => `${r.bankName} (${r.bankCode})` },
        {
          title: t('fxacct.kind'),
          render: (_, r) => (r.accountKind === 'current' ? t('fxacct.kindCurrent') : t('fxacct.kindPendingCheck')),
        },
        { title: t('fxacct.currency'), dataIndex: 'currency' },
        { title: t('fxacct.received'), dataIndex: 'received' },
        { title: t('fxacct.settled'), dataIndex: 'settled' },
        { title: t('fxacct.unsettled'), dataIndex: 'unsettled' },
        { title: t('fxacct.fromUnassigned'), dataIndex: 'fromUnassigned' },
        {
          title: t('fxacct.status'),
          render: (_, r) => (
            <Tag color={r.status === 'active' ? 'green' : 'default'} data-status={r.status}>
              {t(r.status === 'active' ? 'fxacct.statusActive' : 'fxacct.statusClosed')}
            </Tag>
          ),
        },
        ...(onClose
          ? [
              {
                title: '',
                render: (_: unknown, r: AccountRow) =>
                  r.status === 'active' ? (
                    <Popconfirm title={t('fxacct.close')} onConfirm={() => onClose(r.id)}>
                      <Button size="small">{t('fxacct.close')}</Button>
                    </Popconfirm>
                  ) : null,
              },
            ]
          : []),
      ]}
    />
  );
}

/** Per currency: received (all receipts the accounts may settle), settled, unsettled. */
export function CurrencyTable({ rows, testId }: { rows: CurrencyRow[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table<CurrencyRow>
      size="small"
      rowKey="currency"
      pagination={false}
      dataSource={rows}
      data-testid={testId}
      columns={[
        { title: t('fxacct.currency'), dataIndex: 'currency' },
        { title: t('fxacct.received'), dataIndex: 'received' },
        { title: t('fxacct.settled'), dataIndex: 'settled' },
        { title: t('fxacct.unsettled'), dataIndex: 'unsettled' },
        { title: t('fxacct.unassigned'), dataIndex: 'unassigned' },
        { title: t('fxacct.unattributed'), dataIndex: 'unattributed' },
      ]}
    />
  );
}

interface AccountForm {
  accountKind: string;
  bankName: string;
  bankCode: string;
  accountNo: string;
  currency: string;
  openedOn: string;
}
interface SettleForm {
  accountId: string;
  settlementRef: string;
  settledOn: string;
  amount: string;
  rate: string;
  cnyAmount: string;
  receiptRefNos?: string;
}
interface ImportOutcome {
  imported: number;
  replayed: number;
  rejected: number;
  errors: { row: number; problems: { field: string; rule: string; message: { zh: string; en: string } }[] }[];
}

const CSV_HEADER = 'settlementRef,accountNo,settledOn,currency,amount,rate,cnyAmount,receiptRefNos';

/** 我的结汇账户: the seller's accounts, balances and settlements, with forms to add them. */
export function MySettlementAccountsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['fx-accounts'],
    queryFn: ({ signal }) => api<Overview>('/forex/settlement-accounts', { signal }),
    // Balances move with receipts imported elsewhere (the receipts page, banks): always fresh here.
    refetchOnMount: 'always',
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['fx-accounts'] });
  const fail = (e: Error) => void message.error(errorMessage(e, locale));
  const [accountForm] = Form.useForm<AccountForm>();
  const [settleForm] = Form.useForm<SettleForm>();
  const [csv, setCsv] = useState(`${CSV_HEADER}\n`);

  const register = useMutation({
    mutationFn: (v: AccountForm) => api<AccountRow>('/forex/settlement-accounts', { method: 'POST', body: v }),
    onSuccess: () => {
      void message.success(t('fxacct.registered'));
      accountForm.resetFields();
      refresh();
    },
    onError: fail,
  });
  const close = useMutation({
    mutationFn: (id: string) =>
      api<AccountRow>(`/forex/settlement-accounts/${id}/close`, { method: 'POST', body: { closedOn: today() } }),
    onSuccess: () => {
      void message.success(t('fxacct.closed'));
      refresh();
    },
    onError: fail,
  });
  const accounts = q.data?.accounts ?? [];
  const settle = useMutation({
    mutationFn: ({ accountId, receiptRefNos, ...v }: SettleForm) => {
      const currency = accounts.find((a) => a.id === accountId)?.currency ?? '';
      const refs = (receiptRefNos ?? '')
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean);
      return api<{ replayed: boolean }>(`/forex/settlement-accounts/${accountId}/settlements`, {
        method: 'POST',
        body: { ...v, currency, ...(refs.length ? { receiptRefNos: refs } : {}) },
      });
    },
    onSuccess: (r) => {
      void (r.replayed ? message.info(t('fxacct.replayed')) : message.success(t('fxacct.recorded')));
      settleForm.resetFields();
      refresh();
    },
    onError: fail,
  });
  const importRun = useMutation({
    mutationFn: (text: string) => api<ImportOutcome>('/forex/settlements/import', { method: 'POST', body: { csv: text } }),
    onSuccess: refresh,
  });
  const importRows = (importRun.data?.errors ?? []).flatMap((e) =>
    e.problems.map((p, i) => ({
      key: `${e.row}-${i}`,
      row: e.row,
      field: p.field,
      rule: p.rule,
      message: locale === 'en' ? p.message.en : p.message.zh,
    })),
  );

  return (
    <Page title={t('fxacct.title')} testId="fx-accounts-title">
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Card size="small" title={t('fxacct.accounts')}>
            {accounts.length ? (
              <AccountsTable rows={accounts} testId="fx-accounts" onClose={(id) => close.mutate(id)} />
            ) : (
              <Alert type="info" showIcon message={t('fxacct.none')} />
            )}
            {q.data?.currencies.length ? (
              <>
                <h4 style={{ marginTop: 16 }}>{t('fxacct.byCurrency')}</h4>
                <CurrencyTable rows={q.data.currencies} testId="fx-accounts-currencies" />
              </>
            ) : null}
          </Card>

          <Card size="small" title={t('fxacct.add')} data-testid="fx-account-form">
            <Form<AccountForm>
              form={accountForm}
              layout="vertical"
              initialValues={{ accountKind: 'current' }}
              onFinish={(v) => register.mutate(v)}
            >
              <Space wrap>
                <Form.Item name="accountKind" label={t('fxacct.kind')} rules={[{ required: true }]}>
                  <Select
                    style={{ width: 240 }}
                    options={[
                      { value: 'current', label: t('fxacct.kindCurrent') },
                      { value: 'pending_check', label: t('fxacct.kindPendingCheck') },
                    ]}
                  />
                </Form.Item>
                <Form.Item name="bankName" label={t('fxacct.bankName')} rules={[{ required: true, max: 100 }]}>
                  <Input data-testid="fx-account-bank" />
                </Form.Item>
                <Form.Item name="bankCode" label={t('fxacct.bankCode')} rules={[{ required: true }]}>
                  <Input placeholder="BKCHCNBJ550" data-testid="fx-account-bankcode" />
                </Form.Item>
                <Form.Item name="accountNo" label={t('fxacct.accountNo')} rules={[{ required: true }]}>
                  <Input data-testid="fx-account-no" />
                </Form.Item>
                <Form.Item name="currency" label={t('fxacct.currency')} rules={[{ required: true, pattern: /^\d{3}$/ }]}>
                  <Input placeholder="502" style={{ width: 90 }} data-testid="fx-account-currency" />
                </Form.Item>
                <Form.Item name="openedOn" label={t('fxacct.openedOn')} rules={[{ required: true }]}>
                  <Input placeholder="2026-01-05" data-testid="fx-account-opened" />
                </Form.Item>
              </Space>
              <Button type="primary" htmlType="submit" loading={register.isPending} data-testid="fx-account-submit">
                {t('fxacct.add')}
              </Button>
            </Form>
          </Card>

          <Card size="small" title={t('fxacct.settle')} data-testid="fx-settle-form">
            <Form<SettleForm>
              form={settleForm}
              layout="vertical"
              onFinish={(v) => settle.mutate(v)}
              onValuesChange={(changed: Partial<SettleForm>, all: SettleForm) => {
                // Suggest amount × rate; the server checks it within 0.01.
                if (('amount' in changed || 'rate' in changed) && all.amount && all.rate) {
                  const v = Number(all.amount) * Number(all.rate);
                  if (Number.isFinite(v)) settleForm.setFieldValue('cnyAmount', v.toFixed(2));
                }
              }}
            >
              <Space wrap>
                <Form.Item name="accountId" label={t('fxacct.account')} rules={[{ required: true }]}>
                  <Select
                    style={{ width: 260 }}
                    data-testid="fx-settle-account"
                    options={accounts
                      .filter((a) => a.status === 'active')
                      .map((a) => ({ value: a.id, label: `${a.accountNo} (${a.currency})` }))}
                  />
                </Form.Item>
                <Form.Item name="settlementRef" label={t('fxacct.settlementRef')} rules={[{ required: true, max: 60 }]}>
                  <Input data-testid="fx-settle-ref" />
                </Form.Item>
                <Form.Item name="settledOn" label={t('fxacct.settledOn')} rules={[{ required: true }]}>
                  <Input placeholder={today()} data-testid="fx-settle-day" />
                </Form.Item>
                <Form.Item name="amount" label={t('fxacct.amount')} rules={[{ required: true }]}>
                  <Input data-testid="fx-settle-amount" />
                </Form.Item>
                <Form.Item name="rate" label={t('fxacct.rate')} rules={[{ required: true }]}>
                  <Input placeholder="7.1" data-testid="fx-settle-rate" />
                </Form.Item>
                <Form.Item name="cnyAmount" label={t('fxacct.cnyAmount')} rules={[{ required: true }]}>
                  <Input data-testid="fx-settle-cny" />
                </Form.Item>
                <Form.Item name="receiptRefNos" label={t('fxacct.receiptRefNos')}>
                  <Input />
                </Form.Item>
              </Space>
              <Button type="primary" htmlType="submit" loading={settle.isPending} data-testid="fx-settle-submit">
                {t('fxacct.settle')}
              </Button>
            </Form>
          </Card>

          <Card size="small" title={t('fxacct.importTitle')} data-testid="fx-settle-import">
            <Space direction="vertical" style={{ width: '100%' }}>
              <Input.TextArea rows={5} value={csv} onChange={(e) => setCsv(e.target.value)} data-testid="fx-settle-import-csv" />
              <Button onClick={() => importRun.mutate(csv)} loading={importRun.isPending} data-testid="fx-settle-import-run">
                {t('fxin.import')}
              </Button>
              {importRun.error ? <Alert type="error" showIcon message={errorMessage(importRun.error, locale)} /> : null}
              {importRun.data ? (
                <Alert
                  type={importRun.data.rejected ? 'warning' : 'success'}
                  showIcon
                  message={t('fxacct.importResult', {
                    imported: importRun.data.imported,
                    replayed: importRun.data.replayed,
                    rejected: importRun.data.rejected,
                  })}
                  data-testid="fx-settle-import-result"
                />
              ) : null}
              <ImportErrorsTable rows={importRows} testId="fx-settle-import-errors" />
            </Space>
          </Card>

          <Card size="small" title={t('fxacct.settlements')}>
            <Table<SettlementRow>
              size="small"
              rowKey="id"
              dataSource={q.data?.settlements ?? []}
              data-testid="fx-settlements"
              columns={[
                { title: t('fxacct.settlementRef'), dataIndex: 'settlementRef' },
                { title: t('fxacct.accountNo'), dataIndex: 'accountNo' },
                { title: t('fxacct.settledOn'), dataIndex: 'settledOn' },
                { title: t('fxacct.currency'), dataIndex: 'currency' },
                { title: t('fxacct.amount'), dataIndex: 'amount' },
                { title: t('fxacct.rate'), dataIndex: 'rate' },
                { title: t('fxacct.cnyAmount'), dataIndex: 'cnyAmount' },
              ]}
            />
          </Card>
        </Space>
      )}
    </Page>
  );
}

/** The forex desk's part for one enterprise: its accounts and balances per currency. */
export function DeskEnterpriseAccounts({ enterprise }: { enterprise: DeskEnterprise | undefined }) {
  const { t } = useTranslation();
  if (!enterprise || (!enterprise.accounts.length && !enterprise.currencies.length)) return null;
  return (
    <div style={{ marginTop: 8 }} data-testid={`fx-desk-accounts-${enterprise.orgId}`}>
      <div>{t('fxacct.deskTitle')}</div>
      {enterprise.accounts.length ? (
        <AccountsTable rows={enterprise.accounts} testId={`fx-desk-account-rows-${enterprise.orgId}`} />
      ) : null}
      <CurrencyTable rows={enterprise.currencies} testId={`fx-desk-currencies-${enterprise.orgId}`} />
    </div>
  );
}

export function useDeskAccounts() {
  return useQuery({
    queryKey: ['forex-desk-accounts'],
    queryFn: ({ signal }) => api<DeskEnterprise[]>('/forex/desk/settlement-accounts', { signal }),
  });
}
