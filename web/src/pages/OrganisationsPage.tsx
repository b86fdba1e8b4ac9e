import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Input, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { KindTag, OrgRoleTags } from '../components/labels.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import type { Organisation, OrganisationPage } from '../types.ts';

const KINDS = ['enterprise', 'agency', 'operator'] as const;

/** 企业与机构: `GET /api/v1/organisations?q=&kind=&cursor=` with cursor paging ("load more"). */
export default function OrganisationsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const kind = params.get('kind') ?? '';

  const setFilter = (name: 'q' | 'kind', value: string): void => {
    setParams(
      (prev) => {
        const nextParams = new URLSearchParams(prev);
        if (value) nextParams.set(name, value);
        else nextParams.delete(name);
        return nextParams;
      },
      { replace: true },
    );
  };

  const list = useInfiniteQuery({
    queryKey: ['organisations', 'list', { q, kind }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<OrganisationPage>('/organisations', { query: { q, kind, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });

  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: TableColumnsType<Organisation> = [
    {
      title: t('org.name'),
      key: 'name',
      render: (_: unknown, org) => {
        const main = locale === 'en' && org.nameEn ? org.nameEn : org.name;
        const other = main === org.name ? org.nameEn : org.name;
        return (
          <div>
            <Typography.Text strong>{main}</Typography.Text>
            {other ? (
              <div>
                <Typography.Text type="secondary">{other}</Typography.Text>
              </div>
            ) : null}
          </div>
        );
      },
    },
    {
      title: t('org.kind'),
      dataIndex: 'kind',
      key: 'kind',
      render: (k: string) => <KindTag kind={k} />,
    },
    {
      title: t('org.code'),
      dataIndex: 'code',
      key: 'code',
      render: (v: string | null) => (v ? <Typography.Text code>{v}</Typography.Text> : '—'),
    },
    {
      title: t('org.uscc'),
      dataIndex: 'uscc',
      key: 'uscc',
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('org.roles'),
      dataIndex: 'roles',
      key: 'roles',
      render: (roles: string[]) => <OrgRoleTags roles={roles} />,
    },
    {
      title: t('org.jurisdiction'),
      dataIndex: 'jurisdiction',
      key: 'jurisdiction',
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('org.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
  ];

  return (
    <Page
      title={t('orgs.title')}
      extra={
        <Space wrap>
          <Select
            value={kind}
            onChange={(v: string) => setFilter('kind', v)}
            className="kind-select"
            options={[{ value: '', label: t('orgs.allKinds') }, ...KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))]}
            data-testid="organisations-kind"
          />
          <Input.Search
            allowClear
            defaultValue={q}
            placeholder={t('orgs.searchPlaceholder')}
            onSearch={(v) => setFilter('q', v.trim())}
            enterButton={t('common.search')}
            className="search-box"
            data-testid="organisations-search"
          />
        </Space>
      }
    >
      <Card>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <Table<Organisation>
              rowKey="id"
              loading={list.isPending}
              columns={columns}
              dataSource={rows}
              pagination={false}
              data-testid="organisations-table"
            />
            <div className="load-more">
              {list.hasNextPage ? (
                <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  {t('common.loadMore')}
                </Button>
              ) : rows.length > 0 ? (
                <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
              ) : null}
            </div>
          </>
        )}
      </Card>
    </Page>
  );
}
