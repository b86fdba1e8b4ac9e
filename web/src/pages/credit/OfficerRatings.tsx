import { useQuery } from '@tanstack/react-query';
import { Button, Card, Input, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { LoadError } from '../../components/Page.tsx';
import { formatDateTime } from '../../format.ts';
import { useLocale } from '../../i18n/index.ts';
import { LEVEL_COLOR, type RatedEnterprise } from './types.ts';

/**
 * The officer's list of rated enterprises of its jurisdiction (newest rating first), or the one
 * enterprise a code names, rated or not; "view" opens its rating.
 */
export function OfficerRatings({ onView }: { onView: (orgId: string) => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [code, setCode] = useState('');
  const list = useQuery({
    queryKey: ['credit-ratings', code],
    queryFn: ({ signal }) => api<{ items: RatedEnterprise[] }>('/credit/ratings', { query: { code }, signal }),
  });
  return (
    <Card
      size="small"
      title={t('credit.ratings')}
      style={{ marginBottom: 16 }}
      extra={
        <Input.Search
          allowClear
          size="small"
          style={{ width: 280 }}
          placeholder={t('credit.findByCode')}
          aria-label={t('credit.findByCode')}
          data-testid="credit-find-code"
          onSearch={(v) => setCode(v.trim())}
        />
      }
    >
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<RatedEnterprise>
          size="small"
          rowKey="orgId"
          loading={list.isLoading}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          data-testid="credit-ratings"
          dataSource={list.data?.items ?? []}
          columns={[
            { title: t('credit.subject'), dataIndex: 'name' },
            { title: t('credit.code'), dataIndex: 'code' },
            {
              title: t('credit.level'),
              dataIndex: 'level',
              render: (l: string | null, r) => (
                <>
                  {l ? <Tag color={LEVEL_COLOR[l]}>{l}</Tag> : t('credit.notRated')}
                  {r.blacklisted ? <Tag color="red">{t('credit.blacklisted')}</Tag> : null}
                </>
              ),
            },
            { title: t('credit.score'), dataIndex: 'score', render: (v: number | null) => v ?? '—' },
            { title: t('credit.computedAt'), dataIndex: 'computedAt', render: (v: string | null) => formatDateTime(v, locale) },
            {
              key: 'view',
              render: (_: unknown, r) => (
                <Button size="small" onClick={() => onView(r.orgId)} data-testid={`credit-view-${r.code}`}>
                  {t('credit.view')}
                </Button>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
