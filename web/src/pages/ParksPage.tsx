import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Popconfirm, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { ParksAdminForms } from '../components/ParksAdminForms.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { cstTime, useParkCatalogues, type Offering, type Park, type ParkMember, type Programme } from '../parks.ts';
import { hasPermission, useSession } from '../session.tsx';

/** A park's member enterprises, for the commerce department: list, add by code, remove. */
function ParkMembers({ park }: { park: Park }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ codes: string }>();
  const key = ['park-members', park.id];
  const members = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<{ items: ParkMember[] }>(`/parks/${park.id}/members`, { signal }),
  });
  const changed = (items: ParkMember[]) => {
    qc.setQueryData(key, { items });
    // the public catalogue counts members
    void qc.invalidateQueries({ queryKey: ['parks'] });
  };
  const add = useMutation({
    mutationFn: (codes: string[]) =>
      api<{ added: number; items: ParkMember[] }>(`/parks/${park.id}/members`, { method: 'POST', body: { codes } }),
    onSuccess: (r) => {
      void message.success(t('parksWork.added', { count: r.added }));
      form.resetFields();
      changed(r.items);
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const remove = useMutation({
    mutationFn: (orgId: string) => api<{ items: ParkMember[] }>(`/parks/${park.id}/members/${orgId}`, { method: 'DELETE' }),
    onSuccess: (r) => {
      void message.success(t('parksWork.removed'));
      changed(r.items);
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  if (members.isError) return <LoadError error={members.error} onRetry={() => void members.refetch()} />;
  return (
    <div data-testid={`park-members-${park.id}`}>
      <Form<{ codes: string }>
        form={form}
        layout="inline"
        size="small"
        className="block-gap"
        onFinish={(v) =>
          add.mutate(
            v.codes
              .split(/[,，\s]+/)
              .map((c) => c.trim())
              .filter(Boolean),
          )
        }
      >
        <Form.Item name="codes" rules={[{ required: true, whitespace: true, message: t('parksWork.codesRequired') }]}>
          <Input placeholder={t('parksWork.addCodes')} style={{ width: 360 }} data-testid="park-member-codes" />
        </Form.Item>
        <Button htmlType="submit" type="primary" size="small" loading={add.isPending} data-testid="park-member-add">
          {t('parksWork.add')}
        </Button>
      </Form>
      <Table<ParkMember>
        size="small"
        rowKey="orgId"
        loading={members.isPending}
        pagination={false}
        dataSource={members.data?.items ?? []}
        locale={{ emptyText: t('parksWork.noMembers') }}
        columns={[
          { title: t('parksWork.code'), dataIndex: 'code' },
          { title: t('parksWork.orgName'), dataIndex: 'name' },
          { title: t('parksWork.joinedAt'), dataIndex: 'joinedAt', render: (v: string) => formatDateTime(v, locale) },
          {
            key: 'remove',
            align: 'right',
            render: (_: unknown, m) => (
              <Popconfirm title={t('parksWork.removeConfirm')} onConfirm={() => remove.mutate(m.orgId)}>
                <Button size="small" danger data-testid={`park-member-remove-${m.code ?? m.orgId}`}>
                  {t('parksWork.remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </div>
  );
}

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
    // the display name is the one printed on the certificate
    mutationFn: (id: string) => api(`/offerings/${id}/enrol`, { method: 'POST', body: { name: session.user.displayName } }),
    onSuccess: () => {
      void message.success(t('parks.enrolled'));
      void qc.invalidateQueries({ queryKey: ['offerings'] });
      void qc.invalidateQueries({ queryKey: ['my-enrolments'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const apply = useMutation({
    mutationFn: (id: string) => api(`/programmes/${id}/apply`, { method: 'POST', body: { statement: t('parks.statement') } }),
    onSuccess: () => {
      void message.success(t('parks.applied'));
      void qc.invalidateQueries({ queryKey: ['my-applications'] });
    },
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
          {...(canManage ? { expandable: { expandedRowRender: (p: Park) => <ParkMembers park={p} /> } } : {})}
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
              render: (_: unknown, r) => (
                <Space>
                  {canApply ? (
                    <Button size="small" disabled={r.seatsLeft === 0} onClick={() => enrol.mutate(r.id)}>
                      {t('parks.enrol')}
                    </Button>
                  ) : null}
                  {canManage ? (
                    <Link to={`/parks/roster?offering=${r.id}`} data-testid={`offering-roster-${r.id}`}>
                      {t('parksWork.rosterLink')}
                    </Link>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t('parks.programmes')}
        extra={
          canManage ? (
            <Link to="/parks/programmes" data-testid="programme-admin-link">
              {t('programmeAdmin.link')}
            </Link>
          ) : null
        }
      >
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
