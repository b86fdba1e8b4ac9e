import { LockOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { UserRoleTags } from '../components/labels.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { organisationName, useSession } from '../session.tsx';
import type { ListOf, UserRow } from '../types.ts';

/** The identity module's user answer; `disabled` and `passwordChangedAt` came with issue 9. */
type AdminUserRow = UserRow & { disabled?: boolean; passwordChangedAt?: string | null };

/**
 * 用户: `GET /api/v1/users` (the server scopes the list to what the viewer may manage); disable or
 * enable a user, end their sessions, set a new password — each ends the user's sessions.
 */
export default function UsersPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const [filter, setFilter] = useState('');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [resetFor, setResetFor] = useState<AdminUserRow | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const list = useQuery({
    queryKey: ['users'],
    queryFn: ({ signal }) => api<ListOf<AdminUserRow>>('/users', { signal }),
  });
  const done = async (text: string) => {
    void message.success(text);
    await queryClient.invalidateQueries({ queryKey: ['users'] });
  };
  const onError = (err: unknown) => void message.error(errorMessage(err, locale));
  const setDisabled = useMutation({
    mutationFn: (v: { id: string; disabled: boolean }) =>
      api<AdminUserRow>(`/users/${encodeURIComponent(v.id)}`, { method: 'PATCH', body: { disabled: v.disabled } }),
    onSuccess: (_r, v) => done(t(v.disabled ? 'usersAdmin.disabledOk' : 'usersAdmin.enabledOk')),
    onError,
  });
  const endSessions = useMutation({
    mutationFn: (id: string) => api<{ revoked: number }>(`/users/${encodeURIComponent(id)}/sessions`, { method: 'DELETE' }),
    onSuccess: (r) => done(t('usersAdmin.sessionsEnded', { count: r.revoked })),
    onError,
  });
  const reset = useMutation({
    mutationFn: (v: { id: string; password: string }) =>
      api<AdminUserRow>(`/users/${encodeURIComponent(v.id)}/password`, { method: 'PUT', body: { password: v.password } }),
    onSuccess: async () => {
      setResetFor(null);
      setNewPassword('');
      await done(t('usersAdmin.passwordSet'));
    },
  });

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const items = list.data?.items ?? [];
    if (!needle) return items;
    return items.filter((u) => u.username.toLowerCase().includes(needle) || u.displayName.toLowerCase().includes(needle));
  }, [list.data, filter]);

  const own = session.user.organisation;
  const columns: TableColumnsType<AdminUserRow> = [
    {
      title: t('users.username'),
      dataIndex: 'username',
      key: 'username',
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
      sorter: (a, b) => a.username.localeCompare(b.username),
    },
    { title: t('users.displayName'), dataIndex: 'displayName', key: 'displayName' },
    {
      title: t('users.roles'),
      dataIndex: 'roles',
      key: 'roles',
      render: (roles: string[]) => <UserRoleTags roles={roles} />,
    },
    {
      title: t('users.organisation'),
      dataIndex: 'organisationId',
      key: 'organisationId',
      render: (id: string | null) =>
        !id ? '—' : own && own.id === id ? organisationName(own, locale) : <Typography.Text code>{id}</Typography.Text>,
    },
    {
      title: t('users.status'),
      dataIndex: 'lockedUntil',
      key: 'lockedUntil',
      render: (until: string | null, row) =>
        row.disabled ? (
          <Tag color="default" icon={<StopOutlined />}>
            {t('usersAdmin.disabled')}
          </Tag>
        ) : until && new Date(until).getTime() > Date.now() ? (
          <Tag color="error" icon={<LockOutlined />}>
            {t('users.locked', { until: formatDateTime(until, locale) })}
          </Tag>
        ) : (
          <Tag color="success">{t('users.active')}</Tag>
        ),
    },
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_: unknown, row) =>
        row.id === session.user.id ? null : (
          <Space size="small" wrap>
            <Popconfirm
              title={t(row.disabled ? 'usersAdmin.enable' : 'usersAdmin.disable')}
              description={<div className="confirm-text">{t('usersAdmin.endsSessions')}</div>}
              onConfirm={() => setDisabled.mutateAsync({ id: row.id, disabled: !row.disabled }).catch(() => undefined)}
            >
              <Button size="small" danger={!row.disabled} data-testid={`toggle-user-${row.username}`}>
                {t(row.disabled ? 'usersAdmin.enable' : 'usersAdmin.disable')}
              </Button>
            </Popconfirm>
            <Popconfirm
              title={t('usersAdmin.endSessions')}
              description={<div className="confirm-text">{t('usersAdmin.endSessionsConfirm', { name: row.username })}</div>}
              onConfirm={() => endSessions.mutateAsync(row.id).catch(() => undefined)}
            >
              <Button size="small" data-testid={`end-sessions-${row.username}`}>
                {t('usersAdmin.endSessions')}
              </Button>
            </Popconfirm>
            <Button size="small" onClick={() => setResetFor(row)} data-testid={`reset-password-${row.username}`}>
              {t('usersAdmin.resetPassword')}
            </Button>
          </Space>
        ),
    },
  ];

  return (
    <Page
      title={t('users.title')}
      extra={
        <Space>
          <Input.Search
            allowClear
            placeholder={t('users.searchPlaceholder')}
            onSearch={setFilter}
            onChange={(e) => setFilter(e.target.value)}
            className="search-box"
          />
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t('common.refresh')}
          </Button>
        </Space>
      }
    >
      <Card>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<AdminUserRow>
            rowKey="id"
            loading={list.isPending}
            columns={columns}
            dataSource={rows}
            pagination={{
              defaultPageSize: 20,
              showSizeChanger: true,
              showTotal: (count) => t('common.total', { count }),
            }}
            data-testid="users-table"
          />
        )}
      </Card>
      <Modal
        open={resetFor !== null}
        title={t('usersAdmin.resetPasswordFor', { name: resetFor?.username ?? '' })}
        okText={t('usersAdmin.resetPassword')}
        okButtonProps={{ disabled: newPassword.length === 0, loading: reset.isPending }}
        onOk={() => resetFor && reset.mutate({ id: resetFor.id, password: newPassword })}
        onCancel={() => {
          setResetFor(null);
          setNewPassword('');
          reset.reset();
        }}
        destroyOnHidden
      >
        <Space direction="vertical" className="full-width">
          <Typography.Paragraph type="secondary">{t('account.policy')}</Typography.Paragraph>
          {reset.error ? <Alert type="error" showIcon message={errorMessage(reset.error, locale)} /> : null}
          <Input.Password
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
            autoComplete="new-password"
            data-testid="reset-password-input"
          />
        </Space>
      </Modal>
    </Page>
  );
}
