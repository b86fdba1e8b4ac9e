import { CheckSquareOutlined, EditOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Switch, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import type { DeclareResult, DraftPatch, InventoryDraft, PageOf } from '../clearance.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { CebStatusTag, DraftStatusTag } from '../components/StatusTag.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { useSession } from '../session.tsx';

const KEY = ['inventory-drafts'] as const;
const EDITABLE = ['draft', 'complete', 'rejected'];
const DECLARABLE = ['complete', 'rejected'];

interface EditForm {
  logisticsCode?: string;
  logisticsNo?: string;
  grossWeight?: string;
  netWeight?: string;
  freight?: string;
  insuredFee?: string;
  lines?: { gnum: string; qty1?: string; qty2?: string }[];
}

const total = (d: InventoryDraft): string => {
  const sum = d.lines.reduce((a, l) => a + (Number(l.totalPrice) || 0), 0);
  return `${sum.toFixed(2).replace(/\.00$/, '')}`;
};

/**
 * 清单草稿 (seller) / 待申报 (broker): inventory drafts built from orders, filled in where the order
 * file said nothing, then declared in bulk by the agent each draft names.
 */
export default function DraftsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const orgId = session.user.organisation?.id ?? '';
  const isSeller = session.user.organisation?.roles.includes('ebc') ?? false;
  const [selected, setSelected] = useState<string[]>([]);
  const [readyOnly, setReadyOnly] = useState(!isSeller);
  const [editing, setEditing] = useState<InventoryDraft | null>(null);
  const [form] = Form.useForm<EditForm>();

  const list = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api<PageOf<InventoryDraft>>('/inventory-drafts', { query: { limit: 200 }, signal }),
  });

  const declarable = (d: InventoryDraft) => d.agentOrgId === orgId && DECLARABLE.includes(d.status) && d.problems.length === 0;
  const rows = useMemo(() => {
    const items = list.data?.items ?? [];
    return readyOnly ? items.filter((d) => d.agentOrgId === orgId && d.status !== 'declared') : items;
  }, [list.data, readyOnly, orgId]);

  const declare = useMutation({
    mutationFn: (ids: string[]) => api<DeclareResult>('/inventory-drafts/declare', { method: 'POST', body: { ids } }),
    onSuccess: async (res) => {
      setSelected([]);
      void message.success(t('drafts.declared', { declared: res.declared, rejected: res.rejected }));
      await queryClient.invalidateQueries({ queryKey: KEY });
      await queryClient.invalidateQueries({ queryKey: ['clearance'] });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const patch = useMutation({
    mutationFn: (input: { id: string; body: DraftPatch }) =>
      api<InventoryDraft>(`/inventory-drafts/${encodeURIComponent(input.id)}`, { method: 'PATCH', body: input.body }),
    onSuccess: async () => {
      setEditing(null);
      void message.success(t('drafts.saved'));
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
  });

  const openEdit = (d: InventoryDraft) => {
    patch.reset();
    setEditing(d);
    form.setFieldsValue({
      logisticsCode: d.head.logisticsCode ?? '',
      logisticsNo: d.head.logisticsNo ?? '',
      grossWeight: d.head.grossWeight ?? '',
      netWeight: d.head.netWeight ?? '',
      freight: d.head.freight ?? '',
      insuredFee: d.head.insuredFee ?? '',
      lines: d.lines.map((l) => ({ gnum: l.gnum ?? '', qty1: l.qty1 ?? '', qty2: l.qty2 ?? '' })),
    });
  };

  const saveEdit = (v: EditForm) => {
    if (!editing) return;
    const body: DraftPatch = {};
    const head = editing.head;
    const put = (k: 'logisticsCode' | 'logisticsNo' | 'grossWeight' | 'netWeight' | 'freight' | 'insuredFee') => {
      const value = v[k]?.trim() ?? '';
      if (value !== (head[k] ?? '') && value !== '') body[k] = value;
    };
    put('logisticsCode');
    put('logisticsNo');
    put('grossWeight');
    put('netWeight');
    put('freight');
    put('insuredFee');
    const lines = (v.lines ?? [])
      .map((l, i) => {
        const old = editing.lines[i] ?? {};
        const out: { gnum: string; qty1?: string; qty2?: string } = { gnum: l.gnum };
        if (l.qty1?.trim() && l.qty1.trim() !== old.qty1) out.qty1 = l.qty1.trim();
        if (l.qty2?.trim() && l.qty2.trim() !== old.qty2) out.qty2 = l.qty2.trim();
        return out;
      })
      .filter((l) => l.qty1 !== undefined || l.qty2 !== undefined);
    if (lines.length) body.lines = lines;
    patch.mutate({ id: editing.id, body });
  };

  const columns: TableColumnsType<InventoryDraft> = [
    {
      title: t('clr.orderNo'),
      dataIndex: 'orderNo',
      key: 'orderNo',
      render: (v: string) => (
        <Typography.Text strong data-testid={`draft-order-${v}`}>
          {v}
        </Typography.Text>
      ),
    },
    {
      title: t('clr.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: string, d) => <DraftStatusTag status={s} testId={`draft-status-${d.orderNo}`} />,
    },
    {
      title: t('drafts.agent'),
      key: 'agent',
      render: (_: unknown, d) =>
        d.agentOrgId === orgId ? (
          <Tag color="green">{t('drafts.mine')}</Tag>
        ) : (
          <span>
            {d.head.agentName ?? '—'} <Typography.Text type="secondary">{d.head.agentCode ?? ''}</Typography.Text>
          </span>
        ),
    },
    {
      title: t('drafts.problems'),
      key: 'problems',
      render: (_: unknown, d) =>
        d.problems.length === 0 ? (
          '—'
        ) : (
          <Space size={[4, 4]} wrap data-testid={`draft-problems-${d.orderNo}`}>
            {d.problems.map((p) => (
              <Tag key={`${p.field}|${p.rule}`} color="orange">
                {locale === 'en' ? p.message.en : p.message.zh}
              </Tag>
            ))}
          </Space>
        ),
    },
    { title: t('clr.ebcName'), key: 'ebc', render: (_: unknown, d) => d.head.ebcName ?? '—' },
    { title: t('clr.logisticsNo'), key: 'logisticsNo', render: (_: unknown, d) => d.head.logisticsNo ?? '—' },
    { title: t('clr.grossWeight'), key: 'grossWeight', render: (_: unknown, d) => d.head.grossWeight ?? '—' },
    { title: t('clr.total'), key: 'total', align: 'right', render: (_: unknown, d) => total(d) },
    {
      title: t('drafts.result'),
      key: 'result',
      render: (_: unknown, d) =>
        d.returnStatus ? (
          <Space orientation="vertical" size={0}>
            <CebStatusTag code={d.returnStatus} />
            <Typography.Text type="secondary">{d.invtNo ?? d.returnInfo ?? ''}</Typography.Text>
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: t('clr.updatedAt'),
      dataIndex: 'updatedAt',
      key: 'updatedAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_: unknown, d) =>
        EDITABLE.includes(d.status) ? (
          <Button size="small" icon={<EditOutlined />} onClick={() => openEdit(d)} data-testid={`draft-edit-${d.orderNo}`}>
            {t('drafts.edit')}
          </Button>
        ) : null,
    },
  ];

  const readyIds = rows.filter(declarable).map((d) => d.id);

  return (
    <Page
      title={isSeller ? t('drafts.title') : t('drafts.brokerTitle')}
      testId="drafts-title"
      extra={
        <Space wrap>
          <Space>
            <Switch checked={readyOnly} onChange={setReadyOnly} />
            <span>{t('drafts.filter')}</span>
          </Space>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t('common.refresh')}
          </Button>
          <Button
            icon={<CheckSquareOutlined />}
            onClick={() => setSelected(readyIds)}
            disabled={readyIds.length === 0}
            data-testid="drafts-select-ready"
          >
            {t('common.selectReady')}
          </Button>
          <Button
            type="primary"
            icon={<SendOutlined />}
            disabled={selected.length === 0}
            loading={declare.isPending}
            onClick={() => declare.mutate(selected)}
            data-testid="drafts-declare"
          >
            {t('drafts.declare', { count: selected.length })}
          </Button>
        </Space>
      }
    >
      <Card>
        <Typography.Paragraph type="secondary">{t('drafts.declareHint')}</Typography.Paragraph>
        {declare.data ? (
          <Alert
            className="block-gap"
            type={declare.data.rejected ? 'warning' : 'success'}
            showIcon
            title={t('drafts.declared', { declared: declare.data.declared, rejected: declare.data.rejected })}
            description={declare.data.items
              .filter((i) => i.status !== 'declared')
              .map((i) => `${i.orderNo}: ${i.returnInfo ?? ''}`)
              .join('；')}
            data-testid="drafts-declare-result"
          />
        ) : null}
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<InventoryDraft>
            rowKey="id"
            size="middle"
            loading={list.isPending}
            columns={columns}
            dataSource={rows}
            rowSelection={{
              selectedRowKeys: selected,
              onChange: (keys) => setSelected(keys.map(String)),
              getCheckboxProps: (d) => ({ disabled: !declarable(d) }),
            }}
            pagination={{ defaultPageSize: 50, showSizeChanger: true, showTotal: (count) => t('common.total', { count }) }}
            scroll={{ x: 'max-content' }}
            data-testid="drafts-table"
          />
        )}
      </Card>
      <Modal
        open={editing !== null}
        title={editing ? t('drafts.editTitle', { orderNo: editing.orderNo }) : ''}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={patch.isPending}
        okButtonProps={{ 'data-testid': 'draft-edit-save' }}
        width={720}
        destroyOnHidden
      >
        {patch.error ? <Alert type="error" showIcon title={errorMessage(patch.error, locale)} className="block-gap" /> : null}
        {editing?.problems.length ? (
          <Alert
            type="warning"
            className="block-gap"
            title={editing.problems.map((p) => (locale === 'en' ? p.message.en : p.message.zh)).join('；')}
          />
        ) : null}
        <Form<EditForm> form={form} layout="vertical" onFinish={saveEdit}>
          <div className="form-grid">
            <Form.Item name="logisticsCode" label={t('orderImport.logisticsCode')} rules={[{ pattern: /^[0-9A-Z]{10}$/ }]}>
              <Input maxLength={10} data-testid="draft-logisticsCode" />
            </Form.Item>
            <Form.Item name="logisticsNo" label={t('clr.logisticsNo')}>
              <Input maxLength={80} data-testid="draft-logisticsNo" />
            </Form.Item>
            <Form.Item name="grossWeight" label={t('clr.grossWeight')} rules={[{ pattern: /^\d{1,14}(\.\d{1,5})?$/ }]}>
              <Input data-testid="draft-grossWeight" />
            </Form.Item>
            <Form.Item name="netWeight" label={t('clr.netWeight')} rules={[{ pattern: /^\d{1,14}(\.\d{1,5})?$/ }]}>
              <Input data-testid="draft-netWeight" />
            </Form.Item>
            <Form.Item name="freight" label={t('drafts.freight')} rules={[{ pattern: /^\d{1,14}(\.\d{1,5})?$/ }]}>
              <Input />
            </Form.Item>
            <Form.Item name="insuredFee" label={t('drafts.insuredFee')} rules={[{ pattern: /^\d{1,14}(\.\d{1,5})?$/ }]}>
              <Input />
            </Form.Item>
          </div>
          <Form.List name="lines">
            {(fields) =>
              fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap>
                  <Typography.Text>
                    {editing?.lines[i]?.gnum}. {editing?.lines[i]?.itemNo}{' '}
                    {editing?.lines[i]?.gname ?? editing?.lines[i]?.itemName}
                  </Typography.Text>
                  <Form.Item name={[field.name, 'qty1']} label={t('drafts.qty1')} rules={[{ pattern: /^\d{1,14}(\.\d{1,5})?$/ }]}>
                    <Input className="qty-input" data-testid={`draft-line-${i}-qty1`} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'qty2']} label={t('drafts.qty2')} rules={[{ pattern: /^\d{1,14}(\.\d{1,5})?$/ }]}>
                    <Input className="qty-input" data-testid={`draft-line-${i}-qty2`} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'gnum']} hidden>
                    <Input />
                  </Form.Item>
                </Space>
              ))
            }
          </Form.List>
        </Form>
      </Modal>
    </Page>
  );
}
