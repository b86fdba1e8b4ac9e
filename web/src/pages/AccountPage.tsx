import { LogoutOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

const KEYS = ['auth-sessions'] as const;

/** 我的账户: my sessions (end one, end all others) and my password (`/api/v1/auth/…`). */
export default function AccountPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; confirm: string }>();

  const list = useQuery({
    queryKey: KEYS,
    queryFn: ({ signal }) => api<{ items: SessionRow[]; idleMinutes: number; ttlHours: number }>('/auth/sessions', { signal }),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: KEYS });

  const endOne = useMutation({
    mutationFn: (id: string) => api<undefined>(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: async () => {
      void message.success(t('account.endedOne'));
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
  const endOthers = useMutation({
    mutationFn: () => api<{ revoked: number }>('/auth/sessions', { method: 'DELETE' }),
    onSuccess: async (r) => {
      void message.success(t('account.endedOthers', { count: r.revoked }));
      await refresh();
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
  const change = useMutation({
    mutationFn: (v: { currentPassword: string; newPassword: string }) =>
      api<{ revokedSessions: number }>('/auth/me/password', { method: 'PUT', body: v }),
    onSuccess: async (r) => {
      form.resetFields();
      void message.success(t('account.passwordChanged', { count: r.revokedSessions }));
      await refresh();
    },
  });

  const columns: TableColumnsType<SessionRow> = [
    {
      title: t('account.device'),
      key: 'device',
      render: (_: unknown, s) => (
        <Space direction="vertical" size={0}>
          <Typography.Text>{s.ip ?? '—'}</Typography.Text>
          <Typography.Text type="secondary" ellipsis>
            {s.userAgent ?? ''}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('account.signedIn'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('account.lastSeen'),
      dataIndex: 'lastSeenAt',
      key: 'lastSeenAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('account.expires'),
      dataIndex: 'expiresAt',
      key: 'expiresAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_: unknown, s) =>
        s.current ? (
          <Tag color="processing">{t('account.thisSession')}</Tag>
        ) : (
          <Button
            danger
            size="small"
            loading={endOne.isPending && endOne.variables === s.id}
            onClick={() => endOne.mutate(s.id)}
            data-testid={`end-session-${s.id}`}
          >
            {t('account.end')}
          </Button>
        ),
    },
  ];

  const problem = change.error ? errorMessage(change.error, locale) : null;

  return (
    <Page
      title={t('account.title')}
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
          {t('common.refresh')}
        </Button>
      }
    >
      <Space direction="vertical" size="large" className="full-width">
        <Card
          title={t('account.sessions')}
          extra={
            <Popconfirm
              title={t('account.endOthers')}
              description={<div className="confirm-text">{t('account.endOthersConfirm')}</div>}
              okButtonProps={{ danger: true, loading: endOthers.isPending }}
              onConfirm={() => endOthers.mutateAsync().catch(() => undefined)}
            >
              <Button danger icon={<LogoutOutlined />} data-testid="end-other-sessions">
                {t('account.endOthers')}
              </Button>
            </Popconfirm>
          }
        >
          {list.data && (
            <Typography.Paragraph type="secondary">
              {t('account.limits', { idle: list.data.idleMinutes, ttl: list.data.ttlHours })}
            </Typography.Paragraph>
          )}
          {list.isError ? (
            <LoadError error={list.error} onRetry={() => void list.refetch()} />
          ) : (
            <Table<SessionRow>
              rowKey="id"
              loading={list.isPending}
              columns={columns}
              dataSource={list.data?.items ?? []}
              pagination={false}
              data-testid="sessions-table"
            />
          )}
        </Card>
        <Card title={t('account.changePassword')}>
          <Typography.Paragraph type="secondary">{t('account.policy')}</Typography.Paragraph>
          {problem && <Alert type="error" showIcon message={problem} />}
          <Form
            form={form}
            layout="vertical"
            onFinish={(v) => change.mutate({ currentPassword: v.currentPassword, newPassword: v.newPassword })}
          >
            <Form.Item name="currentPassword" label={t('account.currentPassword')} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" data-testid="current-password" />
            </Form.Item>
            <Form.Item name="newPassword" label={t('account.newPassword')} rules={[{ required: true }]}>
              <Input.Password autoComplete="new-password" data-testid="new-password" />
            </Form.Item>
            <Form.Item
              name="confirm"
              label={t('account.confirmPassword')}
              dependencies={['newPassword']}
              rules={[
                { required: true },
                ({ getFieldValue }) => ({
                  validator: (_r, value) =>
                    !value || getFieldValue('newPassword') === value
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('account.mismatch'))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" data-testid="confirm-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="change-password">
              {t('account.changePassword')}
            </Button>
          </Form>
        </Card>
      </Space>
    </Page>
  );
}
