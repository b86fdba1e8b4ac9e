import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { Page } from '../components/Page.tsx';
import { ParksAdminForms } from '../components/ParksAdminForms.tsx';
import { useLocale } from '../i18n/index.ts';
import { cstTime, useParkCatalogues, type Offering, type Park, type Programme } from '../parks.ts';
import { hasPermission, useSession } from '../session.tsx';

/** 园区与培训: parks, courses and events (enrol), support programmes (apply). */
export default function ParksPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const canApply = hasPermission(session, 'parks.apply');
  const canManage = hasPermission(session, 'parks.manage');
  const { parks, offerings, programmes } = useParkCatalogues();
  const enrol = useMutation({
    mutationFn: (id: string) => api(`/offerings/${id}/enrol`, { method: 'POST' }),
    onSuccess: () => {
      void message.success(t('parks.enrolled'));
      void qc.invalidateQueries({ queryKey: ['offerings'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const apply = useMutation({
    mutationFn: (id: string) => api(`/programmes/${id}/apply`, { method: 'POST', body: { statement: t('parks.statement') } }),
    onSuccess: () => void message.success(t('parks.applied')),
    onError: (e) => void message.error(errorMessage(e, locale)),
  });

  return (
    <Page title={t('parks.title')} testId="parks-title">
      {canManage ? <ParksAdminForms /> : null}
      <Card size="small" title={t('parks.parks')} style={{ marginBottom: 16 }}>
        <Table<Park>
          size="small"
          rowKey="id"
          data-testid="parks-table"
          dataSource={parks.data?.items ?? []}
          columns={[
            { title: t('parks.name'), dataIndex: 'name' },
            { title: t('parks.region'), dataIndex: 'region' },
            { title: t('parks.kind'), dataIndex: 'kind', render: (k: string) => <Tag>{k}</Tag> },
            { title: t('parks.members'), dataIndex: 'members' },
          ]}
        />
      </Card>
      <Card size="small" title={t('parks.offerings')} style={{ marginBottom: 16 }}>
        <Table<Offering>
          size="small"
          rowKey="id"
          data-testid="offerings-table"
          dataSource={offerings.data?.items ?? []}
          columns={[
            {
              title: t('parks.name'),
              dataIndex: 'title',
              render: (v: string, r) => (locale === 'en' && r.titleEn ? r.titleEn : v),
            },
            { title: t('parks.kind'), dataIndex: 'kind', render: (k: string) => <Tag>{k}</Tag> },
            { title: t('parks.startsAt'), dataIndex: 'startsAt', render: (v: string) => cstTime(v) },
            { title: t('parks.place'), dataIndex: 'place' },
            { title: t('parks.seatsLeft'), dataIndex: 'seatsLeft', render: (v: number, r) => `${v} / ${r.capacity}` },
            {
              key: 'enrol',
              render: (_: unknown, r) =>
                canApply ? (
                  <Button size="small" disabled={r.seatsLeft === 0} onClick={() => enrol.mutate(r.id)}>
                    {t('parks.enrol')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('parks.programmes')}>
        <Table<Programme>
          size="small"
          rowKey="id"
          data-testid="programmes-table"
          dataSource={programmes.data?.items ?? []}
          columns={[
            { title: t('parks.name'), dataIndex: 'name' },
            { title: t('parks.kind'), dataIndex: 'category' },
            { title: t('parks.period'), key: 'period', render: (_: unknown, r) => `${r.opensOn} ~ ${r.closesOn}` },
            {
              key: 'apply',
              render: (_: unknown, r) =>
                canApply ? (
                  <Button size="small" onClick={() => apply.mutate(r.id)}>
                    {t('parks.apply')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
    </Page>
  );
}
