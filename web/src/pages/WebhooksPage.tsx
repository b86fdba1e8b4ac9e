import { CopyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { copyText } from '../copy.ts';
import { ConfirmDanger, FormError, ListCard } from '../components/ListCard.tsx';
import { Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

/** Labels of this page (not in the shared catalogue): Chinese first, English second. */
const LABEL = {
  title: { zh: 'Webhook 订阅', en: 'Webhook subscriptions' },
  intro: {
    zh: '回执（receipts）和月度汇总申报截止提醒（summary.deadline_reminder）推送到贵方地址，签名见接口文档。新增的主题从当前位置开始推送，不补发历史。',
    en: 'Receipts and monthly-summary deadline reminders POSTed to your receiver, signed (see the API docs). A topic added starts from now on: no history is replayed.',
  },
  url: { zh: '接收地址', en: 'Receiver URL' },
  topics: { zh: '主题', en: 'Topics' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '推送中', en: 'Active' },
  paused: { zh: '已暂停', en: 'Paused' },
  failing: { zh: '连续失败已停', en: 'Failing' },
  enabled: { zh: '启用推送', en: 'Active' },
  lastDelivered: { zh: '最近送达', en: 'Last delivered' },
  lastError: { zh: '最近错误', en: 'Last error' },
  create: { zh: '新建订阅', en: 'New subscription' },
  edit: { zh: '修改', en: 'Edit' },
  editTitle: { zh: '修改订阅', en: 'Edit subscription' },
  save: { zh: '保存', en: 'Save' },
  saved: { zh: '已保存', en: 'Saved' },
  remove: { zh: '删除', en: 'Delete' },
  removeConfirm: { zh: '删除此订阅？推送即停止。', en: 'Delete this subscription? Deliveries stop.' },
  secretTitle: { zh: '签名密钥（只显示这一次）', en: 'Signing secret (shown only now)' },
  secretWarning: { zh: '请立即保存此密钥：关闭后无法再次查看。', en: 'Store this secret now: it cannot be shown again.' },
  copy: { zh: '复制', en: 'Copy' },
  copied: { zh: '已复制', en: 'Copied' },
  done: { zh: '我已保存', en: 'Done' },
  empty: { zh: '尚无订阅', en: 'No subscriptions yet' },
  topicsRequired: { zh: '至少选择一个主题', en: 'choose at least one topic' },
  urlRequired: { zh: '请填写接收地址', en: 'the receiver URL is required' },
  none: { zh: '—', en: '—' },
} as const;

const TOPICS = [
  { value: 'receipts', zh: '回执', en: 'Receipts' },
  { value: 'summary.deadline_reminder', zh: '汇总申报截止提醒', en: 'Summary deadline reminders' },
] as const;

interface Subscription {
  id: string;
  url: string;
  topics: string[];
  status: 'active' | 'paused' | 'failing';
  cursors: { topic: string; cursor: number }[];
  consecutiveFailures: number;
  lastError: string | null;
  lastDeliveredAt: string | null;
  createdAt: string;
}

interface EditValues {
  url: string;
  topics: string[];
  active: boolean;
}

const KEY = ['webhooks'] as const;

/** Webhook 订阅: list, create (the secret shows once), change topics, URL or activity, delete. */
export default function WebhooksPage() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  const label = (k: keyof typeof LABEL) => (en ? LABEL[k].en : LABEL[k].zh);
  const topicLabel = (v: string) => {
    const t = TOPICS.find((x) => x.value === v);
    return t ? (en ? t.en : t.zh) : v;
  };
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<EditValues>();
  /** the subscription being edited; 'new' while creating one */
  const [editing, setEditing] = useState<Subscription | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const list = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api<{ items: Subscription[] }>('/webhooks', { signal }),
  });

  const save = useMutation({
    mutationFn: async (v: EditValues): Promise<Subscription & { secret?: string }> => {
      if (editing === 'new')
        return api<Subscription & { secret: string }>('/webhooks', {
          method: 'POST',
          body: { url: v.url.trim(), topics: v.topics },
        });
      const current = editing!;
      return api<Subscription>(`/webhooks/${encodeURIComponent(current.id)}`, {
        method: 'PATCH',
        body: {
          topics: v.topics,
          ...(v.url.trim() !== current.url ? { url: v.url.trim() } : {}),
          ...(v.active !== (current.status === 'active') ? { active: v.active } : {}),
        },
      });
    },
    onSuccess: async (row) => {
      setEditing(null);
      if (row.secret) setSecret(row.secret);
      else void message.success(label('saved'));
      await qc.invalidateQueries({ queryKey: KEY });
    },
  });

  const remove = useMutation({
    mutationFn: (id: string) => api<undefined>(`/webhooks/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const open = (row: Subscription | 'new') => {
    save.reset();
    form.setFieldsValue(
      row === 'new'
        ? { url: '', topics: ['receipts'], active: true }
        : { url: row.url, topics: row.topics, active: row.status === 'active' },
    );
    setEditing(row);
  };

  const columns: TableColumnsType<Subscription> = [
    { title: label('url'), dataIndex: 'url', key: 'url', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      title: label('topics'),
      key: 'topics',
      render: (_, r) => (
        <Space wrap data-testid={`webhook-topics-${r.id}`}>
          {r.topics.map((t) => (
            <Tag key={t} data-topic={t}>
              {topicLabel(t)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: label('status'),
      key: 'status',
      render: (_, r) => (
        <Tag
          color={r.status === 'active' ? 'success' : r.status === 'failing' ? 'error' : 'default'}
          data-testid={`webhook-status-${r.id}`}
        >
          {label(r.status)}
        </Tag>
      ),
    },
    {
      title: label('lastDelivered'),
      key: 'lastDeliveredAt',
      render: (_, r) => (r.lastDeliveredAt ? formatDateTime(r.lastDeliveredAt, locale) : label('none')),
    },
    { title: label('lastError'), dataIndex: 'lastError', key: 'lastError', render: (v: string | null) => v ?? label('none') },
    {
      key: 'actions',
      align: 'right',
      render: (_, r) => (
        <Space>
          <Button size="small" onClick={() => open(r)} data-testid={`webhook-edit-${r.id}`}>
            {label('edit')}
          </Button>
          <ConfirmDanger
            title={label('remove')}
            description={label('removeConfirm')}
            onConfirm={() => remove.mutateAsync(r.id).catch(() => undefined)}
            testId={`webhook-delete-${r.id}`}
          >
            {label('remove')}
          </ConfirmDanger>
        </Space>
      ),
    },
  ];

  return (
    <Page
      title={label('title')}
      testId="webhooks-title"
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching} />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="webhook-create">
            {label('create')}
          </Button>
        </Space>
      }
    >
      <ListCard
        intro={label('intro')}
        list={list}
        columns={columns}
        emptyText={label('empty')}
        testId="webhooks-table"
        size="small"
      />

      <Modal
        open={editing !== null}
        title={editing === 'new' ? label('create') : label('editTitle')}
        okText={label('save')}
        okButtonProps={{ 'data-testid': 'webhook-save' }}
        confirmLoading={save.isPending}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form<EditValues> form={form} layout="vertical" name="webhook" onFinish={(v) => save.mutate(v)}>
          <FormError of={save} testId="webhook-error" />
          <Form.Item
            name="url"
            label={label('url')}
            rules={[{ required: true, whitespace: true, message: label('urlRequired') }]}
          >
            <Input placeholder="https://example.com/cbec-hook" maxLength={2000} data-testid="webhook-url" />
          </Form.Item>
          <Form.Item
            name="topics"
            label={label('topics')}
            rules={[{ required: true, type: 'array', min: 1, message: label('topicsRequired') }]}
          >
            <Select
              mode="multiple"
              options={TOPICS.map((t) => ({ value: t.value, label: en ? t.en : t.zh }))}
              data-testid="webhook-topics"
            />
          </Form.Item>
          {editing !== 'new' ? (
            <Form.Item name="active" label={label('enabled')} valuePropName="checked">
              <Switch data-testid="webhook-active" />
            </Form.Item>
          ) : null}
        </Form>
      </Modal>

      <Modal
        open={secret !== null}
        title={label('secretTitle')}
        closable={false}
        mask={{ closable: false }}
        keyboard={false}
        footer={
          <Button type="primary" onClick={() => setSecret(null)} data-testid="webhook-secret-done">
            {label('done')}
          </Button>
        }
        destroyOnHidden
      >
        {secret ? (
          <Space orientation="vertical" className="full-width">
            <Alert type="warning" showIcon title={label('secretWarning')} />
            <div className="secret-box" data-testid="webhook-secret">
              {secret}
            </div>
            <Button
              icon={<CopyOutlined />}
              onClick={() =>
                void copyText(secret).then((ok) => (ok ? message.success(label('copied')) : message.warning(secret)))
              }
            >
              {label('copy')}
            </Button>
          </Space>
        ) : null}
      </Modal>
    </Page>
  );
}
