import {
  CheckOutlined,
  CloseOutlined,
  EditOutlined,
  PauseOutlined,
  RedoOutlined,
  SendOutlined,
  StopOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

type FilingStatus = 'submitted' | 'approved' | 'rejected' | 'suspended' | 'revoked';

interface InspFiling {
  id: string;
  kind: 'enterprise' | 'product';
  enterpriseCode: string;
  itemNo: string | null;
  goodsName: string | null;
  quarantineCategory: string | null;
  producer: string;
  certificates: { type: string; number: string; validUntil: string | null }[];
  status: FilingStatus;
  /** a certificate is past its valid-until day */
  expired: boolean;
  /** counts for new decisions */
  inForce: boolean;
  reason: string | null;
  submittedAt: string | null;
}

/** The desk's acts that need a reason. */
type ReasonedAct = 'reject' | 'suspend' | 'revoke';

interface FormValues {
  itemNo: string;
  goodsName: string;
  quarantineCategory: string;
  producer: string;
  certType: string;
  certNo: string;
  certValidUntil?: string;
}

/** The enterprise's own filing: its production or packing enterprise and, optionally, a registration. */
interface EnterpriseValues {
  producer: string;
  certType?: string;
  certNo?: string;
  certValidUntil?: string;
}

/** A certificate the form names, or none: an enterprise filing needs none. */
const certificatesOf = (v: { certType?: string; certNo?: string; certValidUntil?: string }) =>
  v.certType?.trim() || v.certNo?.trim()
    ? [{ type: v.certType ?? '', number: v.certNo ?? '', validUntil: v.certValidUntil || null }]
    : [];

/** A filing's key on the page (test ids): its item number, the enterprise code for an enterprise filing. */
const keyOf = (r: InspFiling): string => r.itemNo ?? r.enterpriseCode;

// Keep in step with QUARANTINE_CATEGORIES in src/modules/filing/rules/product.ts.
const CATEGORIES = [
  'fresh_fruit',
  'vegetables',
  'grain',
  'meat',
  'aquatic',
  'dairy',
  'animal_products',
  'plants',
  'processed_food',
  'cosmetics',
  'other',
];
const STATUS_COLOR: Record<FilingStatus, string> = {
  submitted: 'blue',
  approved: 'green',
  rejected: 'red',
  suspended: 'orange',
  revoked: 'default',
};

/**
 * Sellers file themselves (the enterprise filing) and their quarantine products with the inspection
 * authority and amend them (back to review): a product filing counts only while the enterprise
 * filing is in force too. The inspection desk approves or rejects, suspends, reinstates or revokes.
 */
export default function InspectionFilingsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [enterpriseForm] = Form.useForm<EnterpriseValues>();
  const [acting, setActing] = useState<{ filing: InspFiling; act: ReasonedAct } | null>(null);
  const [amending, setAmending] = useState<InspFiling | null>(null);
  const [amendForm] = Form.useForm<Omit<FormValues, 'itemNo' | 'quarantineCategory'>>();
  const [reason, setReason] = useState('');
  const isEnterprise = session.user.organisation?.kind === 'enterprise' && hasPermission(session, 'inspection.filing');
  // the inspection authority's desk: its officer in the organisation holding the duty (ADR 0025)
  const isDesk =
    session.user.roles.includes('inspection_officer') && (session.user.organisation?.roles.includes('inspection') ?? false);
  const list = useQuery({
    queryKey: ['inspection', 'filings'],
    queryFn: () => api<{ items: InspFiling[] }>('/inspection/filings'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['inspection', 'filings'] });
  // The seller's own enterprise filing (at most one: the server keys it by the enterprise).
  const enterpriseFiling = isEnterprise ? (list.data?.items.find((f) => f.kind === 'enterprise') ?? null) : null;
  // None yet, or one to correct and resubmit: the form is offered. One under review or in force is
  // not filed again (an approved or suspended one is amended from the table).
  const canFileEnterprise = !enterpriseFiling || enterpriseFiling.status === 'rejected' || enterpriseFiling.status === 'revoked';

  const submitEnterprise = useMutation({
    mutationFn: (v: EnterpriseValues) =>
      api<InspFiling>('/inspection/filings', {
        method: 'POST',
        body: { kind: 'enterprise', producer: v.producer, certificates: certificatesOf(v) },
      }),
    onSuccess: async () => {
      void message.success(t('inspection.submitted'));
      enterpriseForm.resetFields();
      await refresh();
    },
  });

  const submit = useMutation({
    mutationFn: (v: FormValues) =>
      api<InspFiling>('/inspection/filings', {
        method: 'POST',
        body: {
          kind: 'product',
          itemNo: v.itemNo,
          goodsName: v.goodsName,
          quarantineCategory: v.quarantineCategory,
          producer: v.producer,
          certificates: [{ type: v.certType, number: v.certNo, validUntil: v.certValidUntil || null }],
        },
      }),
    onSuccess: async () => {
      void message.success(t('inspection.submitted'));
      form.resetFields();
      await refresh();
    },
  });
  const decide = useMutation({
    mutationFn: (input: { id: string; approve: boolean; reason?: string }) =>
      api<InspFiling>(`/inspection/filings/${encodeURIComponent(input.id)}/decision`, {
        method: 'POST',
        body: { approve: input.approve, ...(input.reason ? { reason: input.reason } : {}) },
      }),
    onSuccess: async () => {
      setActing(null);
      setReason('');
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
  // suspend, reinstate, revoke (the desk)
  const measure = useMutation({
    mutationFn: (input: { id: string; act: 'suspend' | 'reinstate' | 'revoke'; reason?: string }) =>
      api<InspFiling>(`/inspection/filings/${encodeURIComponent(input.id)}/${input.act}`, {
        method: 'POST',
        ...(input.act === 'reinstate' ? {} : { body: input.reason ? { reason: input.reason } : {} }),
      }),
    onSuccess: async (f) => {
      void message.success(t(`inspection.filingStatus.${f.status}`));
      setActing(null);
      setReason('');
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
  const amend = useMutation({
    mutationFn: (input: { id: string; v: Omit<FormValues, 'itemNo' | 'quarantineCategory'> }) =>
      api<InspFiling>(`/inspection/filings/${encodeURIComponent(input.id)}/amend`, {
        method: 'POST',
        body: {
          ...(input.v.goodsName ? { goodsName: input.v.goodsName } : {}),
          producer: input.v.producer,
          certificates: certificatesOf(input.v),
        },
      }),
    onSuccess: async () => {
      void message.success(t('inspection.submitted'));
      setAmending(null);
      amendForm.resetFields();
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const columns: TableColumnsType<InspFiling> = [
    {
      title: t('inspection.kind'),
      dataIndex: 'kind',
      key: 'kind',
      width: 90,
      render: (k: InspFiling['kind']) => t(`inspection.kinds.${k}`),
    },
    { title: t('risk.seller'), dataIndex: 'enterpriseCode', key: 'enterpriseCode', width: 120 },
    { title: t('inspection.itemNo'), dataIndex: 'itemNo', key: 'itemNo', width: 150 },
    { title: t('inspection.goodsName'), dataIndex: 'goodsName', key: 'goodsName' },
    { title: t('inspection.quarantineCategory'), dataIndex: 'quarantineCategory', key: 'quarantineCategory', width: 130 },
    { title: t('inspection.producer'), dataIndex: 'producer', key: 'producer' },
    {
      title: t('inspection.status'),
      dataIndex: 'status',
      key: 'status',
      width: 110,
      render: (s: FilingStatus, r) => (
        <>
          <Tag color={STATUS_COLOR[s]} data-testid={`insp-filing-status-${keyOf(r)}`} title={r.reason ?? undefined}>
            {t(`inspection.filingStatus.${s}`)}
          </Tag>
          {r.expired ? <Tag color="red">{t('inspection.expired')}</Tag> : null}
        </>
      ),
    },
    {
      title: t('risk.decidedAt'),
      dataIndex: 'submittedAt',
      key: 'submittedAt',
      width: 160,
      render: (v: string | null) => formatDateTime(v, locale),
    },
    ...(isDesk
      ? [
          {
            title: '',
            key: 'actions',
            width: 210,
            render: (_: unknown, r: InspFiling) => (
              <Space>
                {r.status === 'submitted' ? (
                  <>
                    <Button
                      size="small"
                      type="primary"
                      icon={<CheckOutlined />}
                      onClick={() => decide.mutate({ id: r.id, approve: true })}
                      data-testid={`insp-filing-approve-${keyOf(r)}`}
                    >
                      {t('inspection.approve')}
                    </Button>
                    <Button
                      size="small"
                      danger
                      icon={<CloseOutlined />}
                      onClick={() => setActing({ filing: r, act: 'reject' })}
                      data-testid={`insp-filing-reject-${keyOf(r)}`}
                    >
                      {t('inspection.reject')}
                    </Button>
                  </>
                ) : null}
                {r.status === 'approved' ? (
                  <Button
                    size="small"
                    icon={<PauseOutlined />}
                    onClick={() => setActing({ filing: r, act: 'suspend' })}
                    data-testid={`insp-filing-suspend-${keyOf(r)}`}
                  >
                    {t('inspection.suspend')}
                  </Button>
                ) : null}
                {r.status === 'suspended' ? (
                  <Button
                    size="small"
                    icon={<RedoOutlined />}
                    onClick={() => measure.mutate({ id: r.id, act: 'reinstate' })}
                    data-testid={`insp-filing-reinstate-${keyOf(r)}`}
                  >
                    {t('inspection.reinstate')}
                  </Button>
                ) : null}
                {r.status === 'approved' || r.status === 'suspended' ? (
                  <Button
                    size="small"
                    danger
                    icon={<StopOutlined />}
                    onClick={() => setActing({ filing: r, act: 'revoke' })}
                    data-testid={`insp-filing-revoke-${keyOf(r)}`}
                  >
                    {t('inspection.revoke')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]
      : []),
    ...(isEnterprise
      ? [
          {
            title: '',
            key: 'amend',
            width: 100,
            render: (_: unknown, r: InspFiling) =>
              r.status === 'approved' || r.status === 'suspended' ? (
                <Button
                  size="small"
                  icon={<EditOutlined />}
                  data-testid={`insp-filing-amend-${keyOf(r)}`}
                  onClick={() => {
                    amendForm.setFieldsValue({
                      goodsName: r.goodsName ?? '',
                      producer: r.producer,
                      certType: r.certificates[0]?.type ?? '',
                      certNo: r.certificates[0]?.number ?? '',
                      certValidUntil: r.certificates[0]?.validUntil ?? '',
                    });
                    setAmending(r);
                  }}
                >
                  {t('inspection.amend')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Page title={t('inspection.filingsTitle')} testId="inspection-filings-title">
      {isEnterprise ? (
        <Card size="small" title={t('inspection.enterpriseFiling')} className="block-gap" data-testid="insp-enterprise-filing">
          <Space wrap className="block-gap">
            <span>{t('inspection.status')}:</span>
            {enterpriseFiling ? (
              <>
                <Tag color={STATUS_COLOR[enterpriseFiling.status]} data-testid="insp-enterprise-filing-state">
                  {t(`inspection.filingStatus.${enterpriseFiling.status}`)}
                </Tag>
                {enterpriseFiling.expired ? <Tag color="red">{t('inspection.expired')}</Tag> : null}
                <span>{enterpriseFiling.producer}</span>
                {enterpriseFiling.reason ? <Typography.Text type="danger">{enterpriseFiling.reason}</Typography.Text> : null}
              </>
            ) : (
              <Tag data-testid="insp-enterprise-filing-state">{t('inspection.enterpriseNotFiled')}</Tag>
            )}
          </Space>
          {enterpriseFiling?.inForce ? null : (
            <Alert type="info" showIcon className="block-gap" title={t('inspection.enterpriseFilingHint')} />
          )}
          {canFileEnterprise ? (
            <>
              {submitEnterprise.error ? (
                <Alert type="error" showIcon className="block-gap" title={errorMessage(submitEnterprise.error, locale)} />
              ) : null}
              <Form form={enterpriseForm} layout="inline" onFinish={(v) => submitEnterprise.mutate(v)}>
                <Form.Item name="producer" rules={[{ required: true }]}>
                  <Input
                    placeholder={t('inspection.enterpriseProducer')}
                    style={{ width: 280 }}
                    data-testid="insp-enterprise-producer"
                  />
                </Form.Item>
                <Form.Item name="certType">
                  <Input placeholder={t('inspection.enterpriseCertType')} data-testid="insp-enterprise-cert-type" />
                </Form.Item>
                <Form.Item
                  name="certNo"
                  dependencies={['certType']}
                  rules={[
                    ({ getFieldValue }) => ({
                      required: !!(getFieldValue('certType') as string | undefined)?.trim(),
                    }),
                  ]}
                >
                  <Input placeholder={t('inspection.certNo')} data-testid="insp-enterprise-cert-no" />
                </Form.Item>
                <Form.Item name="certValidUntil">
                  <Input
                    placeholder={`${t('inspection.certValidUntil')} yyyy-mm-dd`}
                    data-testid="insp-enterprise-cert-valid-until"
                  />
                </Form.Item>
                <Button
                  type="primary"
                  htmlType="submit"
                  icon={<SendOutlined />}
                  loading={submitEnterprise.isPending}
                  data-testid="insp-enterprise-submit"
                >
                  {t('inspection.fileEnterprise')}
                </Button>
              </Form>
            </>
          ) : null}
        </Card>
      ) : null}
      {isEnterprise ? (
        <Card size="small" title={t('inspection.fileProduct')} className="block-gap">
          {submit.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(submit.error, locale)} /> : null}
          <Form form={form} layout="inline" onFinish={(v) => submit.mutate(v)}>
            <Form.Item name="itemNo" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.itemNo')} />
            </Form.Item>
            <Form.Item name="goodsName">
              <Input placeholder={t('inspection.goodsName')} />
            </Form.Item>
            <Form.Item name="quarantineCategory" rules={[{ required: true }]}>
              <Select
                placeholder={t('inspection.quarantineCategory')}
                style={{ width: 170 }}
                options={CATEGORIES.map((c) => ({ value: c, label: c }))}
              />
            </Form.Item>
            <Form.Item name="producer" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.producer')} />
            </Form.Item>
            <Form.Item name="certType" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.certType')} />
            </Form.Item>
            <Form.Item name="certNo" rules={[{ required: true }]}>
              <Input placeholder={t('inspection.certNo')} />
            </Form.Item>
            <Form.Item name="certValidUntil">
              <Input placeholder={`${t('inspection.certValidUntil')} yyyy-mm-dd`} />
            </Form.Item>
            <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={submit.isPending}>
              {t('inspection.fileProduct')}
            </Button>
          </Form>
        </Card>
      ) : null}
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<InspFiling>
          rowKey="id"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          size="small"
        />
      )}
      <Modal
        open={acting !== null}
        title={acting ? t(`inspection.${acting.act}`) : ''}
        onCancel={() => setActing(null)}
        onOk={() => {
          if (!acting) return;
          if (acting.act === 'reject') decide.mutate({ id: acting.filing.id, approve: false, reason });
          else measure.mutate({ id: acting.filing.id, act: acting.act, reason });
        }}
        confirmLoading={decide.isPending || measure.isPending}
        okButtonProps={{ 'data-testid': 'insp-filing-act-ok' }}
      >
        <Input.TextArea
          data-testid="insp-filing-act-reason"
          rows={3}
          placeholder={t(acting?.act === 'reject' ? 'inspection.reason' : 'inspection.measureReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
      <Modal
        open={amending !== null}
        title={`${t('inspection.amendTitle')} ${amending ? (amending.itemNo ?? t('inspection.kinds.enterprise')) : ''}`}
        onCancel={() => setAmending(null)}
        onOk={() => amendForm.submit()}
        confirmLoading={amend.isPending}
      >
        <Form form={amendForm} layout="vertical" onFinish={(v) => amending && amend.mutate({ id: amending.id, v })}>
          {amending?.kind === 'enterprise' ? null : (
            <Form.Item name="goodsName" label={t('inspection.goodsName')}>
              <Input />
            </Form.Item>
          )}
          <Form.Item
            name="producer"
            label={t(amending?.kind === 'enterprise' ? 'inspection.enterpriseProducer' : 'inspection.producer')}
            rules={[{ required: true }]}
          >
            <Input />
          </Form.Item>
          {/* a quarantine product needs a certificate; an enterprise filing may have none */}
          <Form.Item name="certType" label={t('inspection.certType')} rules={[{ required: amending?.kind !== 'enterprise' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="certNo" label={t('inspection.certNo')} rules={[{ required: amending?.kind !== 'enterprise' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="certValidUntil" label={`${t('inspection.certValidUntil')} yyyy-mm-dd`}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Page>
  );
}
