import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Input, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatValue } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { zhCN } from '../i18n/zh-CN.ts';
import type { CodeEntry, CodePage, CodeTableInfo, ListOf } from '../types.ts';

const PAGE_SIZES = [20, 50, 100];
const DEFAULT_PAGE_SIZE = 50;
const KNOWN_FIELDS = new Set(['code', 'nameZh', 'nameEn']);

type FieldKey = keyof typeof zhCN.codeField;
const isLabelledField = (field: string): field is FieldKey => Object.hasOwn(zhCN.codeField, field);

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * 代码表: `GET /api/v1/codes` for the list, `GET /api/v1/codes/{table}?q=&limit=&offset=` for the
 * entries. Table, search and page live in the URL so a view can be shared.
 */
export default function CodesPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [params, setParams] = useSearchParams();

  const tables = useQuery({
    queryKey: ['codes'],
    queryFn: ({ signal }) => api<ListOf<CodeTableInfo>>('/codes', { signal }),
    staleTime: 10 * 60_000,
  });

  const table = params.get('table') ?? tables.data?.items[0]?.table ?? '';
  const q = params.get('q') ?? '';
  const page = positiveInt(params.get('page'), 1);
  const pageSize = positiveInt(params.get('size'), DEFAULT_PAGE_SIZE);

  const update = (changes: Record<string, string | number | null>): void => {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [name, value] of Object.entries(changes)) {
          if (value === null || value === '') next.delete(name);
          else next.set(name, String(value));
        }
        return next;
      },
      { replace: true },
    );
  };

  const entries = useQuery({
    queryKey: ['codes', table, { q, page, pageSize }],
    queryFn: ({ signal }) =>
      api<CodePage>(`/codes/${encodeURIComponent(table)}`, {
        query: { q, limit: pageSize, offset: (page - 1) * pageSize },
        signal,
      }),
    enabled: table !== '',
    placeholderData: keepPreviousData,
    staleTime: 10 * 60_000,
  });

  const items = entries.data?.table === table ? entries.data.items : [];
  const columns = useMemo<TableColumnsType<CodeEntry>>(() => {
    const extras: string[] = [];
    for (const item of items) {
      for (const field of Object.keys(item)) {
        if (!KNOWN_FIELDS.has(field) && !extras.includes(field)) extras.push(field);
      }
    }
    return [
      {
        title: t('codes.code'),
        dataIndex: 'code',
        key: 'code',
        width: 140,
        render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
      },
      { title: t('codes.nameZh'), dataIndex: 'nameZh', key: 'nameZh' },
      {
        title: t('codes.nameEn'),
        dataIndex: 'nameEn',
        key: 'nameEn',
        render: (v: unknown) => formatValue(v),
      },
      ...extras.map((field) => ({
        title: isLabelledField(field) ? t(`codeField.${field}`) : field,
        dataIndex: field,
        key: field,
        ellipsis: true,
        render: (v: unknown) => formatValue(v),
      })),
    ];
  }, [items, t]);

  const tableLabel = (info: CodeTableInfo): string => `${locale === 'en' ? info.nameEn : info.nameZh} (${info.table})`;

  return (
    <Page
      title={t('codes.title')}
      extra={
        <Space wrap>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            value={table || undefined}
            placeholder={t('codes.chooseTable')}
            loading={tables.isPending}
            onChange={(v: string) => update({ table: v, q: null, page: null })}
            className="code-table-select"
            options={(tables.data?.items ?? []).map((info) => ({
              value: info.table,
              label: tableLabel(info),
            }))}
            data-testid="codes-table-select"
          />
          <Input.Search
            key={table}
            allowClear
            defaultValue={q}
            placeholder={t('codes.searchPlaceholder')}
            onSearch={(v) => update({ q: v.trim(), page: null })}
            enterButton={t('common.search')}
            className="search-box"
            data-testid="codes-search"
          />
        </Space>
      }
    >
      <Card>
        {tables.isError ? (
          <LoadError error={tables.error} onRetry={() => void tables.refetch()} />
        ) : entries.isError ? (
          <LoadError error={entries.error} onRetry={() => void entries.refetch()} />
        ) : (
          <Table<CodeEntry>
            rowKey="code"
            size="medium"
            loading={tables.isPending || entries.isFetching}
            columns={columns}
            dataSource={items}
            scroll={{ x: 'max-content' }}
            pagination={{
              current: page,
              pageSize,
              total: entries.data?.total ?? 0,
              pageSizeOptions: PAGE_SIZES,
              showSizeChanger: true,
              showTotal: (count) => t('common.total', { count }),
              onChange: (nextPage, nextSize) =>
                update({
                  page: nextSize !== pageSize ? null : nextPage,
                  size: nextSize === DEFAULT_PAGE_SIZE ? null : nextSize,
                }),
            }}
            data-testid="codes-table"
          />
        )}
      </Card>
    </Page>
  );
}
