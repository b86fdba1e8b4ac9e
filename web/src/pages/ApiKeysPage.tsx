import { CopyOutlined, KeyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, newIdempotencyKey } from '../api.ts';
import { copyText } from '../copy.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import type { ApiKey, CreatedApiKey, ListOf } from '../types.ts';

const KEYS = ['api-keys'] as const;

/** API 密钥: list, create (the secret shows once), revoke. */
export default function ApiKeysPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string }>();
  const [creating, setCreating] = useState<{ idempotencyKey: string } | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const list = useQuery({
    queryKey: KEYS,
    queryFn: ({ signal }) => api<ListOf<ApiKey>>('/api-keys', { signal }),
  });

  const create = useMutation({
    mutationFn: (input: { name: string; idempotencyKey: string }) =>
      api<CreatedApiKey>('/api-keys', {
        method: 'POST',
        body: { name: input.name.trim() },
        headers: { 'idempotency-key': input.idempotencyKey },
      }),
    onSuccess: async (key) => {
      setCreating(null);
      form.resetFields();
      setCreated(key);
      await queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });

  const revoke = useMutation({
    mutationFn: (id: string) => api<undefined>(`/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: async () => {
      void message.success(t('apiKeys.revokedOk'));
      await queryClient.invalidateQueries({ queryKey: KEYS });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const copy = async (text: string): Promise<void> => {
    const ok = await copyText(text);
    if (ok) void message.success(t('apiKeys.copied'));
    else void message.warning(t('apiKeys.copyFailed'));
  };

  const columns: TableColumnsType<ApiKey> = [
    { title: t('apiKeys.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('apiKeys.prefix'),
      dataIndex: 'prefix',
      key: 'prefix',
      render: (prefix: string) => <Typography.Text code>{prefix}…</Typography.Text>,
    },
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('apiKeys.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      key: 'lastUsedAt',
      render: (v: string | null) =>
        v ? formatDateTime(v, locale) : <Typography.Text type="secondary">{t('apiKeys.neverUsed')}</Typography.Text>,
    },
    {
      title: t('apiKeys.status'),
      key: 'status',
      render: (_: unknown, row) =>
        row.revokedAt ? (
          <Tag color="default">
            {t('apiKeys.revoked')} · {formatDateTime(row.revokedAt, locale)}
          </Tag>
        ) : (
          <Tag color="success">{t('apiKeys.active')}</Tag>
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_: unknown, row) =>
        row.revokedAt ? null : (
          <Popconfirm
            title={t('apiKeys.revoke')}
            description={<div className="confirm-text">{t('apiKeys.revokeConfirm', { name: row.name })}</div>}
            okButtonProps={{ danger: true, loading: revoke.isPending && revoke.variables === row.id }}
            onConfirm={() => revoke.mutateAsync(row.id).catch(() => undefined)}
          >
            <Button danger size="small" data-testid={`revoke-${row.id}`}>
              {t('apiKeys.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Page
      title={t('apiKeys.title')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t('common.refresh')}
          </Button>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              create.reset();
              setCreating({ idempotencyKey: newIdempotencyKey() });
            }}
            data-testid="api-key-create"
          >
            {t('apiKeys.create')}
          </Button>
        </Space>
      }
    >
      <Card>
        <Typography.Paragraph type="secondary">{t('apiKeys.intro')}</Typography.Paragraph>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<ApiKey>
            rowKey="id"
            loading={list.isPending}
            columns={columns}
            dataSource={list.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('apiKeys.empty') }}
            data-testid="api-keys-table"
          />
        )}
      </Card>

      <Modal
        open={creating !== null}
        title={t('apiKeys.createTitle')}
        okText={t('apiKeys.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setCreating(null)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => {
            if (creating) create.mutate({ name: values.name, idempotencyKey: creating.idempotencyKey });
          }}
        >
          {create.isError ? (
            <Alert type="error" showIcon title={errorMessage(create.error, locale)} className="form-error" />
          ) : null}
          <Form.Item
            name="name"
            label={t('apiKeys.name')}
            rules={[{ required: true, whitespace: true, message: t('apiKeys.nameRequired') }, { max: 100 }]}
          >
            <Input placeholder={t('apiKeys.namePlaceholder')} maxLength={100} autoFocus data-testid="api-key-name" />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={created !== null}
        title={
          <span>
            <KeyOutlined /> {t('apiKeys.createdTitle')}
          </span>
        }
        closable={false}
        mask={{ closable: false }}
        keyboard={false}
        onCancel={() => setCreated(null)}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="api-key-done">
            {t('apiKeys.done')}
          </Button>
        }
        width={640}
        destroyOnHidden
      >
        {created ? (
          <Space orientation="vertical" size="medium" className="full-width">
            <Alert type="warning" showIcon title={t('apiKeys.keyWarning')} />
            <Typography.Text strong>{created.name}</Typography.Text>
            <div className="secret-box" data-testid="api-key-secret">
              {created.key}
            </div>
            <Button icon={<CopyOutlined />} onClick={() => void copy(created.key)} data-testid="api-key-copy">
              {t('apiKeys.copy')}
            </Button>
          </Space>
        ) : null}
      </Modal>
    </Page>
  );
}
