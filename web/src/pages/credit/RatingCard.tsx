import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api.ts';
import { LoadError } from '../../components/Page.tsx';
import { formatDateTime } from '../../format.ts';
import { useLocale } from '../../i18n/index.ts';
import { ScoreChart } from './ScoreChart.tsx';
import { LEVEL_COLOR, type Factor, type Rating } from './types.ts';

/**
 * One enterprise's credit rating: level, score, each factor with what it measured and cost, the
 * score over time and the history; an officer may have it recomputed now.
 */
export function RatingCard({ orgId, title, canRecompute }: { orgId: string; title: string; canRecompute: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const en = locale === 'en';
  const { message } = App.useApp();
  const qc = useQueryClient();
  const rating = useQuery({
    queryKey: ['credit-rating', orgId],
    queryFn: ({ signal }) => api<Rating>(`/credit/ratings/${orgId}`, { signal }),
  });
  const recompute = useMutation({
    mutationFn: () => api('/credit/ratings/compute', { method: 'POST', body: { orgIds: [orgId] } }),
    onSuccess: () => {
      void message.success(t('credit.recomputed'));
      void qc.invalidateQueries({ queryKey: ['credit-rating', orgId] });
      void qc.invalidateQueries({ queryKey: ['credit-ratings'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const r = rating.data;
  return (
    <Card
      size="small"
      title={title}
      style={{ marginBottom: 16 }}
      data-testid="credit-rating"
      extra={
        canRecompute ? (
          <Button
            size="small"
            icon={<ReloadOutlined />}
            loading={recompute.isPending}
            onClick={() => recompute.mutate()}
            data-testid="credit-recompute"
          >
            {t('credit.recompute')}
          </Button>
        ) : null
      }
    >
      {rating.error ? (
        <LoadError error={rating.error} onRetry={() => void rating.refetch()} />
      ) : (
        <>
          <Descriptions size="small" column={4}>
            <Descriptions.Item label={t('credit.subject')}>{r ? `${r.name} (${r.code})` : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('credit.level')}>
              <span data-testid="credit-level">
                {r?.level ? <Tag color={LEVEL_COLOR[r.level]}>{r.level}</Tag> : t('credit.notRated')}
                {r?.blacklisted ? <Tag color="red">{t('credit.blacklisted')}</Tag> : null}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.score')}>
              <span data-testid="credit-score">{r?.current?.score ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('credit.computedAt')}>{formatDateTime(r?.current?.computedAt, locale)}</Descriptions.Item>
          </Descriptions>
          <Table<Factor>
            size="small"
            rowKey="factor"
            pagination={false}
            loading={rating.isLoading}
            data-testid="credit-factors"
            dataSource={r?.current?.factors ?? []}
            columns={[
              { title: t('credit.factor'), dataIndex: 'factor' },
              { title: t('credit.value'), dataIndex: 'value' },
              { title: t('credit.points'), dataIndex: 'points' },
              {
                title: t('credit.explanation'),
                dataIndex: 'explanation',
                render: (e: Factor['explanation']) => (en ? e.en : e.zh),
              },
            ]}
          />
          {r && r.history.length > 0 ? (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('credit.history')}
              </Typography.Title>
              <ScoreChart history={r.history} label={t('credit.score')} />
              <Table
                size="small"
                rowKey="key"
                pagination={{ pageSize: 5, hideOnSinglePage: true }}
                data-testid="credit-history"
                dataSource={r.history.map((h, i) => ({ ...h, key: i }))}
                columns={[
                  { title: t('credit.computedAt'), dataIndex: 'computedAt', render: (v: string) => formatDateTime(v, locale) },
                  {
                    title: t('credit.level'),
                    dataIndex: 'level',
                    render: (l: string) => <Tag color={LEVEL_COLOR[l]}>{l}</Tag>,
                  },
                  { title: t('credit.score'), dataIndex: 'score' },
                  { title: t('credit.rulesVersion'), dataIndex: 'rulesVersion' },
                ]}
              />
            </>
          ) : null}
        </>
      )}
    </Card>
  );
}
