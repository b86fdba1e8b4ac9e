import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { Page } from '../components/Page.tsx';
import { pointColumns, SERVICES, type Point, type Service } from '../components/servicePoints.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { useSession } from '../session.tsx';

interface Request {
  id: string;
  pointName: string | null;
  service: Service;
  message: string;
  status: 'open' | 'accepted' | 'declined' | 'done';
  reply: string | null;
  createdAt: string;
}

/** The directory of overseas service points (map-free filters); SMEs ask, providers answer. */
export default function OverseasServicePointsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const session = useSession();
  const provider = session.user.organisation?.roles.includes('overseas') ?? false;
  const [filters, setFilters] = useState<{ country?: string; city?: string; service?: Service }>({});
  const [asks, setAsks] = useState<Record<string, string>>({});
  const [kinds, setKinds] = useState<Record<string, Service>>({});
  const points = useQuery({
    queryKey: ['service-points', filters],
    queryFn: () =>
      api<Point[]>('/public/service-points', {
        query: { country: filters.country, city: filters.city, service: filters.service },
      }),
  });
  const requests = useQuery({ queryKey: ['service-requests'], queryFn: () => api<Request[]>('/service-requests') });
  const send = useMutation({
    mutationFn: (v: { pointId: string; service: Service; message: string }) =>
      api<Request>('/service-requests', { method: 'POST', body: v }),
    onSuccess: async (_r, v) => {
      void message.success(t('points.sent'));
      setAsks((a) => ({ ...a, [v.pointId]: '' }));
      await queryClient.invalidateQueries({ queryKey: ['service-requests'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const answer = useMutation({
    mutationFn: (v: { id: string; action: 'accept' | 'decline' | 'complete' }) =>
      api<Request>(`/service-requests/${v.id}/answer`, { method: 'POST', body: { action: v.action } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['service-requests'] }),
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Page title={t('points.title')} testId="points-title">
      <Space wrap>
        <Input
          placeholder={t('points.country')}
          style={{ width: 120 }}
          maxLength={2}
          onChange={(e) => setFilters((f) => ({ ...f, country: e.target.value.toUpperCase() || undefined }))}
        />
        <Input
          placeholder={t('points.city')}
          style={{ width: 180 }}
          onChange={(e) => setFilters((f) => ({ ...f, city: e.target.value || undefined }))}
        />
        <Select<Service>
          allowClear
          placeholder={t('points.service')}
          style={{ width: 200 }}
          options={SERVICES.map((s) => ({ value: s, label: t(`points.services.${s}`) }))}
          onChange={(v) => setFilters((f) => ({ ...f, service: v }))}
        />
      </Space>
      <Table<Point>
        className="block-gap"
        rowKey="id"
        loading={points.isLoading}
        dataSource={points.data ?? []}
        data-testid="points-table"
        columns={[
          ...pointColumns<Point>(t),
          ...(provider
            ? []
            : [
                {
                  title: t('points.ask'),
                  key: 'ask',
                  render: (_: unknown, p: Point) => (
                    <Space.Compact>
                      <Select<Service>
                        style={{ width: 130 }}
                        value={kinds[p.id] ?? p.services[0]}
                        onChange={(v) => setKinds((k) => ({ ...k, [p.id]: v }))}
                        options={p.services.map((s) => ({ value: s, label: t(`points.services.${s}`) }))}
                        data-testid={`ask-service-${p.id}`}
                      />
                      <Input
                        value={asks[p.id] ?? ''}
                        onChange={(e) => setAsks((a) => ({ ...a, [p.id]: e.target.value }))}
                        data-testid={`ask-${p.id}`}
                      />
                      <Button
                        disabled={!asks[p.id]?.trim()}
                        loading={send.isPending && send.variables?.pointId === p.id}
                        onClick={() =>
                          send.mutate({ pointId: p.id, service: kinds[p.id] ?? p.services[0]!, message: asks[p.id]!.trim() })
                        }
                        data-testid={`ask-send-${p.id}`}
                      >
                        {t('points.send')}
                      </Button>
                    </Space.Compact>
                  ),
                },
              ]),
        ]}
      />
      <Card className="block-gap" title={t('points.requests')}>
        <Table<Request>
          rowKey="id"
          size="small"
          loading={requests.isLoading}
          dataSource={requests.data ?? []}
          data-testid="requests-table"
          columns={[
            { title: t('points.name'), dataIndex: 'pointName' },
            { title: t('points.service'), key: 's', render: (_: unknown, r) => t(`points.services.${r.service}`) },
            { title: '', dataIndex: 'message' },
            { title: t('points.status'), key: 'st', render: (_: unknown, r) => <Tag>{t(`points.statuses.${r.status}`)}</Tag> },
            { title: '', dataIndex: 'reply' },
            { title: '', key: 'at', render: (_: unknown, r) => formatDateTime(r.createdAt, locale) },
            ...(provider
              ? [
                  {
                    title: t('common.actions'),
                    key: 'act',
                    render: (_: unknown, r: Request) => (
                      <Space>
                        {r.status === 'open' ? (
                          <Button size="small" onClick={() => answer.mutate({ id: r.id, action: 'accept' })}>
                            {t('points.accept')}
                          </Button>
                        ) : null}
                        {r.status === 'open' ? (
                          <Button size="small" onClick={() => answer.mutate({ id: r.id, action: 'decline' })}>
                            {t('points.decline')}
                          </Button>
                        ) : null}
                        {r.status === 'accepted' ? (
                          <Button size="small" onClick={() => answer.mutate({ id: r.id, action: 'complete' })}>
                            {t('points.complete')}
                          </Button>
                        ) : null}
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
    </Page>
  );
}
