import { LockOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Input, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { UserRoleTags } from '../components/labels.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { organisationName, useSession } from '../session.tsx';
import type { ListOf, UserRow } from '../types.ts';

/** 用户: `GET /api/v1/users` (the server scopes the list to what the viewer may manage). */
export default function UsersPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const [filter, setFilter] = useState('');
  const list = useQuery({
    queryKey: ['users'],
    queryFn: ({ signal }) => api<ListOf<UserRow>>('/users', { signal }),
  });

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const items = list.data?.items ?? [];
    if (!needle) return items;
    return items.filter((u) => u.username.toLowerCase().includes(needle) || u.displayName.toLowerCase().includes(needle));
  }, [list.data, filter]);

  const own = session.user.organisation;
  const columns: TableColumnsType<UserRow> = [
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
      render: (until: string | null) =>
        until && new Date(until).getTime() > Date.now() ? (
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
          <Table<UserRow>
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
    </Page>
  );
}
