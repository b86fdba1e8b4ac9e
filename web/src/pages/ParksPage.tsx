import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ButtonProps, SpaceProps } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { OfferingEditModal, ParkEditModal, ParksAdminForms, useCloseAction } from '../components/ParksAdminForms.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import {
  cstTime,
  FIGURES,
  useParkCatalogues,
  type Application,
  type MyEnrolment,
  type Offering,
  type Park,
  type ParkMember,
  type Programme,
} from '../parks.ts';
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

/** Open or closed (archived): closed ones take no enrolment, application or member. */
function StatusTag({ status }: { status: Park['status'] }) {
  const { t } = useTranslation();
  return status === 'closed' ? <Tag data-testid="status-closed">{t('parksEdit.closed')}</Tag> : null;
}

/** A park's, course's or programme's name in its table, tagged once closed. */
function Named({ status, children }: { status: Park['status']; children: ReactNode }) {
  return (
    <Space size={4}>
      {children}
      <StatusTag status={status} />
    </Space>
  );
}

/** What `GET /programmes/:id/apply-preview` answers: the dry run of an application. */
interface ApplyPreview {
  programme: { id: string; name: string; category: string; opensOn: string; closesOn: string };
  open: boolean;
  alreadyApplied: boolean;
  figures: Record<string, number>;
  eligibility: Application['eligibility'];
  canApply: boolean;
}

/**
 * 申报: the enterprise writes its own statement and sees, before it submits, the platform figures
 * that will be attached and the eligibility check against the programme's rules (a dry run on
 * the server: nothing is stored until it submits).
 */
function ApplyModal({ programme, onClose }: { programme: Programme; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ statement: string }>();
  const preview = useQuery({
    queryKey: ['apply-preview', programme.id],
    staleTime: 0,
    queryFn: ({ signal }) => api<ApplyPreview>(`/programmes/${programme.id}/apply-preview`, { signal }),
  });
  const apply = useMutation({
    mutationFn: (statement: string) =>
      api<Application>(`/programmes/${programme.id}/apply`, { method: 'POST', body: { statement } }),
    onSuccess: () => {
      void message.success(t('parks.applied'));
      void qc.invalidateQueries({ queryKey: ['my-applications'] });
      void qc.invalidateQueries({ queryKey: ['apply-preview', programme.id] });
      onClose();
    },
  });
  const p = preview.data;
  const figure = (f: string, v: number | undefined) =>
    f === 'parkMember' ? (v ? '✓' : '—') : (v ?? 0).toLocaleString(locale, { maximumFractionDigits: 2 });
  return (
    <Modal
      open
      title={t('parks.applyTitle', { name: programme.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('parks.submit')}
      okButtonProps={{ disabled: !p?.canApply, 'data-testid': 'apply-submit' } as ButtonProps}
      confirmLoading={apply.isPending}
      destroyOnHidden
      width={720}
    >
      {apply.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(apply.error, locale)} /> : null}
      {preview.isError ? (
        <LoadError error={preview.error} onRetry={() => void preview.refetch()} />
      ) : !p ? (
        <Spin />
      ) : (
        <div data-testid="apply-preview">
          <Typography.Title level={5}>{t('parks.previewFigures')}</Typography.Title>
          <Descriptions size="small" bordered column={2} className="block-gap">
            {FIGURES.map((f) => (
              <Descriptions.Item key={f} label={t(`parksWork.figure.${f}`)}>
                <span data-testid={`apply-figure-${f}`}>{figure(f, p.figures[f])}</span>
              </Descriptions.Item>
            ))}
          </Descriptions>
          <Typography.Title level={5}>{t('parks.eligibility')}</Typography.Title>
          {!p.open ? (
            <Alert
              type="warning"
              showIcon
              className="block-gap"
              title={t('parks.notOpen', { from: p.programme.opensOn, to: p.programme.closesOn })}
            />
          ) : null}
          {p.alreadyApplied ? <Alert type="info" showIcon className="block-gap" title={t('parks.alreadyApplied')} /> : null}
          <Alert
            type={p.eligibility.eligible ? 'success' : 'error'}
            showIcon
            className="block-gap"
            title={
              <span data-testid="apply-eligibility">{t(p.eligibility.eligible ? 'parks.eligible' : 'parks.notEligible')}</span>
            }
          />
          {p.eligibility.results.length ? (
            <Table
              size="small"
              rowKey={(r) => `${r.metric}${r.op}${r.value}`}
              pagination={false}
              className="block-gap"
              data-testid="apply-rules"
              dataSource={p.eligibility.results}
              columns={[
                {
                  title: t('parks.rule'),
                  key: 'rule',
                  render: (_: unknown, r) =>
                    `${t(`parksWork.figure.${r.metric as (typeof FIGURES)[number]}`)} ${r.op} ${r.value.toLocaleString(locale)}`,
                },
                { title: t('parks.actual'), dataIndex: 'actual', render: (v: number) => v.toLocaleString(locale) },
                {
                  key: 'ok',
                  render: (_: unknown, r) =>
                    r.ok ? <Tag color="success">{t('parks.ruleMet')}</Tag> : <Tag color="error">{t('parks.ruleNotMet')}</Tag>,
                },
              ]}
            />
          ) : null}
        </div>
      )}
      <Form<{ statement: string }> form={form} layout="vertical" onFinish={(v) => apply.mutate(v.statement.trim())}>
        <Form.Item
          name="statement"
          label={t('parks.statementLabel')}
          extra={t('parks.statementHint')}
          rules={[{ required: true, whitespace: true, message: t('parks.statementRequired') }]}
        >
          <Input.TextArea rows={4} maxLength={4000} showCount data-testid="apply-statement" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * A park's or a course's edit and close buttons for the commerce officer, both off once it is
 * closed (the server refuses a change then).
 */
function EditCloseButtons({
  row,
  testId,
  confirm,
  onEdit,
  close,
  size = 4,
}: {
  row: Park | Offering;
  testId: 'park' | 'offering';
  confirm: string;
  onEdit: () => void;
  close: ReturnType<typeof useCloseAction>;
  size?: SpaceProps['size'];
}) {
  const { t } = useTranslation();
  const closed = row.status === 'closed';
  return (
    <Space size={size}>
      <Button size="small" disabled={closed} onClick={onEdit} data-testid={`${testId}-edit-${row.id}`}>
        {t('parksEdit.edit')}
      </Button>
      <Popconfirm title={confirm} onConfirm={() => close.mutate(row.id)}>
        <Button
          size="small"
          danger
          disabled={closed}
          loading={close.isPending && close.variables === row.id}
          data-testid={`${testId}-close-${row.id}`}
        >
          {t('parksEdit.close')}
        </Button>
      </Popconfirm>
    </Space>
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
  const [applying, setApplying] = useState<Programme | null>(null);
  const [editingPark, setEditingPark] = useState<Park | null>(null);
  const [editingOffering, setEditingOffering] = useState<Offering | null>(null);
  const closePark = useCloseAction('parks');
  const closeOffering = useCloseAction('offerings');
  // the signed-in person's enrolments: withdraw instead of enrol (same cache as "my training")
  const mine = useQuery({
    queryKey: ['my-enrolments'],
    enabled: canApply,
    queryFn: ({ signal }) => api<{ items: MyEnrolment[] }>('/enrolments', { signal }),
  });
  const enrolledIn = new Set((mine.data?.items ?? []).map((e) => e.offeringId));
  const changed = () => {
    void qc.invalidateQueries({ queryKey: ['offerings'] });
    void qc.invalidateQueries({ queryKey: ['my-enrolments'] });
  };
  const enrol = useMutation({
    // the display name is the one printed on the certificate
    mutationFn: (id: string) => api(`/offerings/${id}/enrol`, { method: 'POST', body: { name: session.user.displayName } }),
    onSuccess: () => {
      void message.success(t('parks.enrolled'));
      changed();
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const withdraw = useMutation({
    mutationFn: (id: string) => api(`/offerings/${id}/enrol`, { method: 'DELETE' }),
    onSuccess: () => {
      void message.success(t('parks.withdrawn'));
      changed();
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  // enrolment closes when the course or event starts (the server refuses it then)
  const started = (o: Offering) => new Date(o.startsAt).getTime() <= Date.now();

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
            {
              title: t('parks.name'),
              dataIndex: 'name',
              render: (v: string, r) => <Named status={r.status}>{v}</Named>,
            },
            { title: t('parks.region'), dataIndex: 'region' },
            { title: t('parks.kind'), dataIndex: 'kind', render: (k: string) => <Tag>{k}</Tag> },
            { title: t('parks.members'), dataIndex: 'members' },
            ...(canManage
              ? [
                  {
                    key: 'manage',
                    align: 'right' as const,
                    render: (_: unknown, r: Park) => (
                      <EditCloseButtons
                        row={r}
                        testId="park"
                        confirm={t('parksEdit.closeParkConfirm')}
                        onEdit={() => setEditingPark(r)}
                        close={closePark}
                      />
                    ),
                  },
                ]
              : []),
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
              render: (v: string, r) => <Named status={r.status}>{locale === 'en' && r.titleEn ? r.titleEn : v}</Named>,
            },
            { title: t('parks.kind'), dataIndex: 'kind', render: (k: string) => <Tag>{k}</Tag> },
            { title: t('parks.startsAt'), dataIndex: 'startsAt', render: (v: string) => cstTime(v) },
            { title: t('parks.place'), dataIndex: 'place' },
            { title: t('parks.seatsLeft'), dataIndex: 'seatsLeft', render: (v: number, r) => `${v} / ${r.capacity}` },
            {
              key: 'enrol',
              render: (_: unknown, r) => (
                <Space>
                  {started(r) ? <Tag>{t('parks.started')}</Tag> : null}
                  {canApply && enrolledIn.has(r.id) ? (
                    <Popconfirm title={t('parks.withdrawConfirm')} onConfirm={() => withdraw.mutate(r.id)}>
                      <Button
                        size="small"
                        danger
                        disabled={started(r)}
                        loading={withdraw.isPending && withdraw.variables === r.id}
                        data-testid={`offering-withdraw-${r.id}`}
                      >
                        {t('parks.withdraw')}
                      </Button>
                    </Popconfirm>
                  ) : canApply ? (
                    <Button
                      size="small"
                      disabled={r.seatsLeft === 0 || started(r) || r.status === 'closed'}
                      loading={enrol.isPending && enrol.variables === r.id}
                      onClick={() => enrol.mutate(r.id)}
                      data-testid={`offering-enrol-${r.id}`}
                    >
                      {t('parks.enrol')}
                    </Button>
                  ) : null}
                  {canManage ? (
                    <>
                      <Link to={`/parks/roster?offering=${r.id}`} data-testid={`offering-roster-${r.id}`}>
                        {t('parksWork.rosterLink')}
                      </Link>
                      <EditCloseButtons
                        row={r}
                        testId="offering"
                        size="small"
                        confirm={t('parksEdit.closeOfferingConfirm')}
                        onEdit={() => setEditingOffering(r)}
                        close={closeOffering}
                      />
                    </>
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
            {
              title: t('parks.name'),
              dataIndex: 'name',
              render: (v: string, r) => <Named status={r.status}>{v}</Named>,
            },
            { title: t('parks.kind'), dataIndex: 'category' },
            { title: t('parks.period'), key: 'period', render: (_: unknown, r) => `${r.opensOn} ~ ${r.closesOn}` },
            {
              key: 'apply',
              render: (_: unknown, r) =>
                canApply ? (
                  <Button
                    size="small"
                    disabled={r.status === 'closed'}
                    onClick={() => setApplying(r)}
                    data-testid={`programme-apply-${r.id}`}
                  >
                    {t('parks.apply')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      {applying ? <ApplyModal programme={applying} onClose={() => setApplying(null)} /> : null}
      {editingPark ? <ParkEditModal park={editingPark} onClose={() => setEditingPark(null)} /> : null}
      {editingOffering ? <OfferingEditModal offering={editingOffering} onClose={() => setEditingOffering(null)} /> : null}
    </Page>
  );
}
