import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { StatsChart } from './StatsChart.tsx';
import { RefundCopyModal, TaxEnterprisesCard, useTaxLabel } from './TaxRefundCopy.tsx';
import { TaxRatesCard, TaxRulesCard } from './TaxRules.tsx';

interface Condition {
  id: string;
  met: boolean;
  reason: { zh: string; en: string } | null;
}
interface RefundView {
  declarationId: string;
  ebcName: string;
  period: string;
  entryId: string;
  declaredValue: Record<string, string>;
  received: Record<string, string>;
  verdict: {
    outcome: 'refund' | 'exemption' | 'taxable';
    refund: Condition[];
    exemption: Condition[];
    estimate: string;
    deadline: string;
  };
}

const COLOR = { refund: 'green', exemption: 'blue', taxable: 'red' } as const;

function RefundTable({
  url,
  testId,
  title,
  extra,
  footer,
  onPurchases,
}: {
  url: string;
  testId: string;
  title: string;
  extra?: ReactNode;
  /** below the declarations: the officer's versioned rules and rates */
  footer?: ReactNode;
  onPurchases?: (r: RefundView) => void;
}) {
  const { t, i18n } = useTranslation();
  const label = useTaxLabel();
  const [copyOf, setCopyOf] = useState<string | null>(null);
  const q = useQuery({ queryKey: ['tax', url], queryFn: ({ signal }) => api<RefundView[]>(url, { signal }) });
  const rows = q.data ?? [];
  const counts = (['refund', 'exemption', 'taxable'] as const).map((o) => ({
    name: t(`sumx.${o}`),
    value: rows.filter((r) => r.verdict.outcome === o).length,
  }));
  return (
    <Page title={title} testId={testId}>
      {extra}
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <StatsChart option={{ tooltip: {}, series: [{ type: 'pie', radius: '60%', data: counts }] }} height={220} />
          <Table<RefundView>
            size="small"
            rowKey="declarationId"
            loading={q.isLoading}
            dataSource={rows}
            data-testid={`${testId}-table`}
            columns={[
              { title: t('sumx.enterprise'), dataIndex: 'ebcName' },
              { title: t('sumx.period'), dataIndex: 'period' },
              { title: t('sumx.declarations'), dataIndex: 'entryId' },
              {
                title: t('sumx.declared'),
                render: (_, r) =>
                  Object.entries(r.declaredValue)
                    .map(([c, v]) => `${c} ${v}`)
                    .join(', '),
              },
              {
                title: t('sumx.received'),
                render: (_, r) =>
                  Object.entries(r.received)
                    .map(([c, v]) => `${c} ${v}`)
                    .join(', '),
              },
              {
                title: t('sumx.outcome'),
                render: (_, r) => (
                  <Tag color={COLOR[r.verdict.outcome]} data-testid={`refund-outcome-${r.entryId}`}>
                    {t(`sumx.${r.verdict.outcome}`)}
                  </Tag>
                ),
              },
              { title: t('sumx.estimate'), render: (_, r) => r.verdict.estimate },
              {
                title: t('sumx.reasons'),
                render: (_, r) => (
                  <span data-testid={`refund-reasons-${r.entryId}`}>
                    {[...r.verdict.refund, ...r.verdict.exemption]
                      .filter((c) => !c.met && c.reason)
                      .map((c) => (i18n.language === 'en' ? c.reason!.en : c.reason!.zh))
                      .filter((v, i, a) => a.indexOf(v) === i)
                      .join('；')}
                  </span>
                ),
              },
              {
                title: label('copy'),
                render: (_, r) => (
                  <Button size="small" onClick={() => setCopyOf(r.declarationId)} data-testid={`refund-copy-${r.entryId}`}>
                    {label('copy')}
                  </Button>
                ),
              },
              ...(onPurchases
                ? [
                    {
                      title: t('taxin.purchases'),
                      render: (_: unknown, r: RefundView) => (
                        <Button size="small" onClick={() => onPurchases(r)} data-testid={`purchases-${r.entryId}`}>
                          {t('taxin.enterInvoices')}
                        </Button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
          <RefundCopyModal declarationId={copyOf} onClose={() => setCopyOf(null)} />
        </>
      )}
      {footer}
    </Page>
  );
}

const INVOICE_KINDS = ['vat_special', 'import_vat', 'consumption_cert', 'ordinary'] as const;

interface PurchaseItem {
  lineNo: number;
  invoiceNo: string;
  kind: (typeof INVOICE_KINDS)[number];
  amountExclVat: string;
}

/** The exporter's purchase invoices of one declaration (进货凭证); saving replaces the set. */
function PurchasesModal({ row, onClose }: { row: RefundView | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ items: PurchaseItem[] }>();
  const save = useMutation({
    mutationFn: (v: { items: PurchaseItem[] }) =>
      api(`/tax/declarations/${row!.declarationId}/purchases`, {
        method: 'PUT',
        body: { items: v.items.map((i) => ({ ...i, amountExclVat: String(i.amountExclVat) })) },
      }),
    onSuccess: () => {
      void message.success(t('taxin.saved'));
      void qc.invalidateQueries({ queryKey: ['tax'] });
      onClose();
    },
    onError: (e: Error) => void message.error(e.message),
  });
  return (
    <Modal
      open={!!row}
      title={`${t('taxin.purchases')} ${row?.entryId ?? ''}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      destroyOnHidden
      width={760}
    >
      <Form form={form} onFinish={(v) => save.mutate(v)} initialValues={{ items: [{ lineNo: 1, kind: 'vat_special' }] }}>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline">
                  <Form.Item name={[f.name, 'lineNo']} rules={[{ required: true }]}>
                    <InputNumber min={1} placeholder={t('taxin.lineNo')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'invoiceNo']} rules={[{ required: true, max: 40 }]}>
                    <Input placeholder={t('taxin.invoiceNo')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]}>
                    <Select
                      style={{ width: 170 }}
                      options={INVOICE_KINDS.map((k) => ({ value: k, label: t(`taxin.kind_${k}`) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'amountExclVat']} rules={[{ required: true, pattern: /^\d{1,17}(\.\d{1,2})?$/ }]}>
                    <Input placeholder={t('taxin.amountExclVat')} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ lineNo: fields.length + 1, kind: 'vat_special' })}
              >
                {t('taxin.addInvoice')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

/** 我的退税: the seller's declarations with refund or exemption and the reasons. */
export function TaxRefundsPage() {
  const { t } = useTranslation();
  const [row, setRow] = useState<RefundView | null>(null);
  return (
    <>
      <RefundTable url="/tax/my-refunds" testId="tax-refunds" title={t('sumx.taxTitle')} onPurchases={setRow} />
      <PurchasesModal row={row} onClose={() => setRow(null)} />
    </>
  );
}

interface ProfileForm {
  orgId: string;
  generalTaxpayer: boolean;
  refundQualified: boolean;
  taxRegistered: boolean;
  tradingCompany: boolean;
  pilotZone?: string;
}

/** The tax officer records an exporter's status (一般纳税人, 退(免)税资格, 外贸企业, 综试区). */
function TaxProfileCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const orgs = useQuery({
    queryKey: ['tax-orgs'],
    queryFn: ({ signal }) =>
      api<{ items: { id: string; name: string; code: string | null }[] }>('/organisations', {
        query: { kind: 'enterprise', limit: 200 },
        signal,
      }),
  });
  const save = useMutation({
    mutationFn: ({ orgId, pilotZone, ...rest }: ProfileForm) =>
      api(`/tax/profiles/${orgId}`, { method: 'PUT', body: { ...rest, pilotZone: pilotZone ? pilotZone : null } }),
    onSuccess: () => {
      void message.success(t('taxin.saved'));
      void qc.invalidateQueries({ queryKey: ['tax'] });
    },
    onError: (e: Error) => void message.error(e.message),
  });
  return (
    <Card size="small" title={t('taxin.profileTitle')} style={{ marginBottom: 16 }} data-testid="tax-profile">
      <Form<ProfileForm>
        layout="inline"
        onFinish={(v) => save.mutate(v)}
        initialValues={{ generalTaxpayer: true, refundQualified: true, taxRegistered: true, tradingCompany: true }}
      >
        <Form.Item name="orgId" label={t('sumx.enterprise')} rules={[{ required: true }]}>
          <Select
            style={{ width: 280 }}
            showSearch
            optionFilterProp="label"
            loading={orgs.isLoading}
            options={(orgs.data?.items ?? []).map((o) => ({ value: o.id, label: `${o.name} ${o.code ?? ''}` }))}
          />
        </Form.Item>
        <Form.Item name="generalTaxpayer" label={t('taxin.generalTaxpayer')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="refundQualified" label={t('taxin.refundQualified')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="taxRegistered" label={t('taxin.taxRegistered')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="tradingCompany" label={t('taxin.tradingCompany')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item
          name="pilotZone"
          label={t('taxin.pilotZone')}
          rules={[{ pattern: /^\d{4}$/, message: t('taxin.pilotZoneRule') }]}
        >
          <Input style={{ width: 90 }} placeholder="3601" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('taxin.save')}
        </Button>
      </Form>
    </Card>
  );
}

/** 退税审核: the tax officer's desk. */
export function TaxDeskPage() {
  const { t } = useTranslation();
  return (
    <RefundTable
      url="/tax/declarations"
      testId="tax-desk"
      title={t('sumx.taxDeskTitle')}
      extra={
        <>
          <TaxEnterprisesCard />
          <TaxProfileCard />
        </>
      }
      footer={
        <div style={{ marginTop: 16 }}>
          <TaxRulesCard />
          <TaxRatesCard />
        </div>
      }
    />
  );
}
