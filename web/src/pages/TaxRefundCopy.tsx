import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Modal, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError } from '../components/Page.tsx';

/** Labels of the tax pages the shared message catalogue does not carry: Chinese first, English second. */
export const TAX_LABEL = {
  copy: { zh: '退税联', en: 'Refund copy' },
  copyTitle: { zh: '报关单退税联电子数据', en: 'Declaration refund copy (electronic data)' },
  entryId: { zh: '报关单号', en: 'Entry ID' },
  trafMode: { zh: '运输方式', en: 'Transport mode' },
  arrivalCountry: { zh: '运抵国', en: 'Country of arrival' },
  exitPort: { zh: '出境关别', en: 'Exit port' },
  grossWeight: { zh: '毛重(千克)', en: 'Gross weight (kg)' },
  netWeight: { zh: '净重(千克)', en: 'Net weight (kg)' },
  inventories: { zh: '清单数', en: 'Inventories' },
  exitDate: { zh: '实际离境日期', en: 'Actual exit date' },
  gcode: { zh: '商品编码', en: 'HS code' },
  gname: { zh: '商品名称', en: 'Goods' },
  qty: { zh: '数量', en: 'Quantity' },
  unit: { zh: '单位', en: 'Unit' },
  destination: { zh: '最终目的国', en: 'Final destination' },
  totalPrice: { zh: '总价', en: 'Total price' },
  rate: { zh: '退税率', en: 'Refund rate' },
  estimate: { zh: '退税额估算', en: 'Estimated refund' },
  versions: { zh: '退税率版本 / 规则版本', en: 'Rate version / rule version' },
  enterprises: { zh: '按企业汇总', en: 'Per enterprise' },
  declarations: { zh: '报关单数', en: 'Declarations' },
  unmet: { zh: '未满足条件（报关单数）', en: 'Unmet conditions (declarations)' },
  none: { zh: '无', en: 'None' },
} as const;

export type TaxLabel = keyof typeof TAX_LABEL;

export function useTaxLabel(): (k: TaxLabel) => string {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (k) => (en ? TAX_LABEL[k].en : TAX_LABEL[k].zh);
}

interface RefundCopy {
  entryId: string;
  ebcName: string;
  period: string;
  customsCode: string;
  head: {
    trafMode: string;
    trafModeName: string;
    arrivalCountry: string;
    arrivalCountryName: string;
    exitPort: string;
    exitPortName: string;
    grossWeight: string;
    netWeight: string;
    inventoryCount: number;
    exitDate: string | null;
  };
  lines: {
    lineNo: number;
    gcode: string;
    gname: string;
    qty: string;
    unit: string;
    unitName: string;
    destinationCountry: string;
    destinationCountryName: string;
    currency: string;
    totalPrice: string;
    refundRate: string | null;
    estimate: string;
  }[];
  refund: {
    outcome: 'refund' | 'exemption' | 'taxable';
    estimate: string;
    rateVersion: string;
    ruleVersion: string;
    unmet: { id: string; reason: { zh: string; en: string } }[];
  };
}

const COLOR = { refund: 'green', exemption: 'blue', taxable: 'red' } as const;
const named = (code: string, name: string) => (name ? `${code} ${name}` : code || '—');

/** A declaration's refund copy for the tax bureau: head, lines, real exit date and verdict. */
export function RefundCopyModal({ declarationId, onClose }: { declarationId: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const label = useTaxLabel();
  const q = useQuery({
    queryKey: ['tax', 'refund-copy', declarationId],
    enabled: !!declarationId,
    queryFn: ({ signal }) => api<RefundCopy>(`/tax/declarations/${declarationId}/refund-copy`, { signal }),
  });
  const c = q.data;
  return (
    <Modal open={!!declarationId} title={label('copyTitle')} onCancel={onClose} footer={null} width={960} destroyOnHidden>
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : c ? (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="tax-refund-copy">
          <Descriptions size="small" bordered column={3}>
            <Descriptions.Item label={label('entryId')}>{c.entryId}</Descriptions.Item>
            <Descriptions.Item label={t('sumx.enterprise')}>{c.ebcName}</Descriptions.Item>
            <Descriptions.Item label={t('sumx.period')}>{c.period}</Descriptions.Item>
            <Descriptions.Item label={label('trafMode')}>{named(c.head.trafMode, c.head.trafModeName)}</Descriptions.Item>
            <Descriptions.Item label={label('arrivalCountry')}>
              {named(c.head.arrivalCountry, c.head.arrivalCountryName)}
            </Descriptions.Item>
            <Descriptions.Item label={label('exitPort')}>{named(c.head.exitPort, c.head.exitPortName)}</Descriptions.Item>
            <Descriptions.Item label={label('grossWeight')}>{c.head.grossWeight}</Descriptions.Item>
            <Descriptions.Item label={label('netWeight')}>{c.head.netWeight}</Descriptions.Item>
            <Descriptions.Item label={label('inventories')}>{c.head.inventoryCount}</Descriptions.Item>
            <Descriptions.Item label={label('exitDate')}>
              <span data-testid="tax-refund-copy-exit">{c.head.exitDate ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('sumx.outcome')}>
              <Tag color={COLOR[c.refund.outcome]}>{t(`sumx.${c.refund.outcome}`)}</Tag>
              {c.refund.estimate}
            </Descriptions.Item>
            <Descriptions.Item label={label('versions')}>
              {c.refund.rateVersion || '—'} / {c.refund.ruleVersion || '—'}
            </Descriptions.Item>
          </Descriptions>
          <Table
            size="small"
            rowKey="lineNo"
            pagination={false}
            dataSource={c.lines}
            data-testid="tax-refund-copy-lines"
            columns={[
              { title: '#', dataIndex: 'lineNo', width: 50 },
              { title: label('gcode'), dataIndex: 'gcode' },
              { title: label('gname'), dataIndex: 'gname' },
              { title: label('qty'), dataIndex: 'qty' },
              { title: label('unit'), render: (_, l) => named(l.unit, l.unitName) },
              { title: label('destination'), render: (_, l) => named(l.destinationCountry, l.destinationCountryName) },
              { title: label('totalPrice'), render: (_, l) => `${l.currency} ${l.totalPrice}` },
              { title: label('rate'), render: (_, l) => l.refundRate ?? '—' },
              { title: label('estimate'), dataIndex: 'estimate' },
            ]}
          />
          {c.refund.unmet.length ? (
            <ul data-testid="tax-refund-copy-unmet">
              {c.refund.unmet.map((u) => (
                <li key={u.id}>{i18n.language === 'en' ? u.reason.en : u.reason.zh}</li>
              ))}
            </ul>
          ) : null}
        </Space>
      ) : null}
    </Modal>
  );
}

interface EnterpriseSummary {
  orgId: string;
  ebcCode: string;
  ebcName: string;
  declarations: number;
  outcomes: { refund: number; exemption: number; taxable: number };
  estimate: string;
  unmet: { id: string; declarations: number; reason: { zh: string; en: string } }[];
}

/** The tax desk per enterprise: declarations, outcomes, estimated refund and the unmet conditions. */
export function TaxEnterprisesCard() {
  const { t, i18n } = useTranslation();
  const label = useTaxLabel();
  const q = useQuery({
    queryKey: ['tax', 'enterprises'],
    queryFn: ({ signal }) => api<EnterpriseSummary[]>('/tax/enterprises', { signal }),
  });
  return (
    <Card size="small" title={label('enterprises')} style={{ marginBottom: 16 }} data-testid="tax-enterprises">
      {q.error ? (
        <LoadError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<EnterpriseSummary>
          size="small"
          rowKey="orgId"
          loading={q.isLoading}
          dataSource={q.data ?? []}
          pagination={false}
          columns={[
            { title: t('sumx.enterprise'), render: (_, e) => `${e.ebcName} ${e.ebcCode}` },
            { title: label('declarations'), dataIndex: 'declarations' },
            {
              title: t('sumx.outcome'),
              render: (_, e) => (
                <Space size={4}>
                  {(['refund', 'exemption', 'taxable'] as const).map((o) => (
                    <Tag key={o} color={COLOR[o]}>
                      {t(`sumx.${o}`)} {e.outcomes[o]}
                    </Tag>
                  ))}
                </Space>
              ),
            },
            {
              title: label('estimate'),
              render: (_, e) => <span data-testid={`tax-enterprise-estimate-${e.ebcCode}`}>{e.estimate}</span>,
            },
            {
              title: label('unmet'),
              render: (_, e) =>
                e.unmet.length
                  ? e.unmet.map((u) => `${i18n.language === 'en' ? u.reason.en : u.reason.zh} (${u.declarations})`).join('；')
                  : label('none'),
            },
          ]}
        />
      )}
    </Card>
  );
}
