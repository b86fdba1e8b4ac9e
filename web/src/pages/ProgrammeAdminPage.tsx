import { DeleteOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ButtonProps, FormInstance } from 'antd';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { EligibilityRulesEditor, useRuleText } from '../components/EligibilityRulesEditor.tsx';
import { useCloseAction } from '../components/ParksAdminForms.tsx';
import { programmeBody, type ProgrammeBasics } from '../components/programmeForm.ts';
import { useLocale } from '../i18n/index.ts';
import type { AdminProgramme, Criterion } from '../parks.ts';

const CATEGORIES = ['park', 'training', 'overseas_service', 'new_model'] as const;

/** A criterion row of the editor; a row added here has no key until it is saved. */
interface CriterionRow {
  key?: string;
  name: string;
  nameEn: string;
  weight: number | null;
  max: number | null;
}
interface ProgrammeForm extends ProgrammeBasics {
  criteria: CriterionRow[];
}

/** The criteria as the API takes them: keys kept, new rows keyed c1, c2 … (never one already used). */
function toCriteria(rows: CriterionRow[] | undefined): Criterion[] {
  const used = new Set((rows ?? []).flatMap((r) => (r.key ? [r.key] : [])));
  let n = 0;
  const next = () => {
    do n += 1;
    while (used.has(`c${n}`));
    used.add(`c${n}`);
    return `c${n}`;
  };
  return (rows ?? []).map((r) => ({
    key: r.key ?? next(),
    name: r.name.trim(),
    nameEn: r.nameEn.trim(),
    weight: r.weight ?? 0,
    max: r.max ?? 0,
  }));
}

const weightSum = (rows: CriterionRow[] | undefined): number => (rows ?? []).reduce((s, r) => s + (r?.weight ?? 0), 0);

/**
 * The criteria editor (评分项): a name in Chinese and English, a weight in per cent and the points
 * a reviewer gives out of, per row; the weights must add up to 100. No rows: the standard rubric.
 */
function CriteriaEditor({ form }: { form: FormInstance }) {
  const { t } = useTranslation();
  const rows = Form.useWatch('criteria', form) as CriterionRow[] | undefined;
  const sum = weightSum(rows);
  const count = rows?.length ?? 0;
  return (
    <Form.List
      name="criteria"
      rules={[
        {
          validator: async (_, value: CriterionRow[] | undefined) => {
            if ((value?.length ?? 0) > 0 && weightSum(value) !== 100) throw new Error(t('programmeAdmin.weightsMustBe100'));
          },
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <div data-testid="criteria-editor">
          {fields.length === 0 ? (
            <Typography.Paragraph type="secondary">{t('programmeAdmin.noCriteriaHint')}</Typography.Paragraph>
          ) : null}
          {fields.map((field, i) => (
            <Row key={field.key} gutter={8} align="top" wrap={false}>
              <Form.Item name={[field.name, 'key']} hidden>
                <Input />
              </Form.Item>
              <Col flex="1 1 160px">
                <Form.Item
                  name={[field.name, 'name']}
                  label={i === 0 ? t('programmeAdmin.criterionName') : undefined}
                  rules={[{ required: true, whitespace: true, max: 100, message: t('programmeAdmin.required') }]}
                >
                  <Input data-testid={`criterion-name-${i}`} />
                </Form.Item>
              </Col>
              <Col flex="1 1 160px">
                <Form.Item
                  name={[field.name, 'nameEn']}
                  label={i === 0 ? t('programmeAdmin.criterionNameEn') : undefined}
                  rules={[{ required: true, whitespace: true, max: 100, message: t('programmeAdmin.required') }]}
                >
                  <Input data-testid={`criterion-name-en-${i}`} />
                </Form.Item>
              </Col>
              <Col flex="0 0 96px">
                <Form.Item
                  name={[field.name, 'weight']}
                  label={i === 0 ? t('programmeAdmin.weight') : undefined}
                  rules={[{ required: true, message: t('programmeAdmin.required') }]}
                >
                  <InputNumber min={1} max={100} precision={0} style={{ width: '100%' }} data-testid={`criterion-weight-${i}`} />
                </Form.Item>
              </Col>
              <Col flex="0 0 96px">
                <Form.Item
                  name={[field.name, 'max']}
                  label={i === 0 ? t('programmeAdmin.max') : undefined}
                  rules={[{ required: true, message: t('programmeAdmin.required') }]}
                >
                  <InputNumber min={1} max={100} precision={0} style={{ width: '100%' }} data-testid={`criterion-max-${i}`} />
                </Form.Item>
              </Col>
              <Col flex="0 0 40px">
                <Form.Item label={i === 0 ? ' ' : undefined}>
                  <Button
                    icon={<DeleteOutlined />}
                    aria-label={t('programmeAdmin.removeCriterion')}
                    onClick={() => remove(field.name)}
                    data-testid={`criterion-remove-${i}`}
                  />
                </Form.Item>
              </Col>
            </Row>
          ))}
          <Space wrap>
            <Button
              icon={<PlusOutlined />}
              disabled={fields.length >= 20}
              onClick={() => add({ name: '', nameEn: '', weight: null, max: 10 })}
              data-testid="criterion-add"
            >
              {t('programmeAdmin.addCriterion')}
            </Button>
            {count > 0 ? (
              <Typography.Text type={sum === 100 ? 'success' : 'danger'} data-testid="criteria-weight-sum">
                {t('programmeAdmin.weightSum', { sum })}
              </Typography.Text>
            ) : null}
          </Space>
          <Form.ErrorList errors={errors} />
        </div>
      )}
    </Form.List>
  );
}

/** Edits one programme's criteria in a dialog. */
function CriteriaModal({ programme, onClose }: { programme: AdminProgramme; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ criteria: CriterionRow[] }>();
  const save = useMutation({
    mutationFn: (rows: CriterionRow[]) =>
      api(`/programmes/${programme.id}/criteria`, { method: 'PUT', body: { criteria: toCriteria(rows) } }),
    onSuccess: () => {
      void message.success(t('programmeAdmin.saved'));
      void qc.invalidateQueries({ queryKey: ['admin-programmes'] });
      void qc.invalidateQueries({ queryKey: ['review-applications'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('programmeAdmin.criteriaOf', { name: programme.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('programmeAdmin.save')}
      okButtonProps={{ 'data-testid': 'criteria-save' } as ButtonProps}
      confirmLoading={save.isPending}
      destroyOnHidden
      width={760}
    >
      {save.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(save.error, locale)} /> : null}
      <Form<{ criteria: CriterionRow[] }>
        form={form}
        layout="vertical"
        // a programme on the standard rubric starts with no rows of its own; saving none keeps it there
        initialValues={{ criteria: programme.standardCriteria ? [] : programme.criteria }}
        onFinish={(v) => save.mutate(v.criteria ?? [])}
      >
        <CriteriaEditor form={form} />
      </Form>
    </Modal>
  );
}

/** Name, category and application window: publishing and editing a programme alike. */
function BasicsFields({ testIds }: { testIds: 'programme-admin' | 'programme-edit' }) {
  const { t } = useTranslation();
  return (
    <Row gutter={16}>
      <Col xs={24} md={8}>
        <Form.Item name="name" label={t('parksAdmin.name')} rules={[{ required: true, whitespace: true, max: 200 }]}>
          <Input data-testid={`${testIds}-name`} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6}>
        <Form.Item name="category" label={t('parksAdmin.category')}>
          <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`programmeAdmin.categories.${c}`) }))} />
        </Form.Item>
      </Col>
      <Col xs={12} md={5}>
        <Form.Item name="opensOn" label={t('parksAdmin.opensOn')} rules={[{ required: true }]}>
          <Input type="date" data-testid={`${testIds}-opens`} />
        </Form.Item>
      </Col>
      <Col xs={12} md={5}>
        <Form.Item name="closesOn" label={t('parksAdmin.closesOn')} rules={[{ required: true }]}>
          <Input type="date" data-testid={`${testIds}-closes`} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/**
 * Edits a programme's name, category, window and eligibility rules; once an enterprise applied
 * the rules are shown but fixed (and not sent), as the server holds them.
 */
function ProgrammeEditModal({ programme, onClose }: { programme: AdminProgramme; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<ProgrammeBasics>();
  const save = useMutation({
    mutationFn: (v: ProgrammeBasics) => {
      const { rules, ...rest } = programmeBody(v);
      return api(`/programmes/${programme.id}`, {
        method: 'PATCH',
        body: programme.rulesLocked ? rest : { ...rest, rules },
      });
    },
    onSuccess: () => {
      void message.success(t('parksEdit.saved'));
      void qc.invalidateQueries({ queryKey: ['admin-programmes'] });
      void qc.invalidateQueries({ queryKey: ['programmes'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('parksEdit.editProgramme', { name: programme.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('parksEdit.save')}
      okButtonProps={{ 'data-testid': 'programme-edit-save' } as ButtonProps}
      confirmLoading={save.isPending}
      destroyOnHidden
      width={820}
    >
      {save.error ? (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          title={errorMessage(save.error, locale)}
          data-testid="programme-edit-error"
        />
      ) : null}
      <Form<ProgrammeBasics>
        form={form}
        layout="vertical"
        initialValues={{
          name: programme.name,
          category: programme.category,
          opensOn: programme.opensOn,
          closesOn: programme.closesOn,
          rules: programme.rules,
        }}
        onFinish={(v) => save.mutate(v)}
      >
        <BasicsFields testIds="programme-edit" />
        <EligibilityRulesEditor
          label={<Typography.Text strong>{t('parksEdit.rules')}</Typography.Text>}
          disabled={programme.rulesLocked}
          extra={programme.rulesLocked ? t('parksEdit.rulesLocked') : undefined}
        />
      </Form>
    </Modal>
  );
}

/**
 * 扶持项目管理: the commerce department publishes support programmes with their eligibility rules
 * and scoring criteria, edits them (the rules until an enterprise applies, the criteria until an
 * application is decided) and closes them (no more applications; archived, not deleted).
 */
export default function ProgrammeAdminPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<ProgrammeForm>();
  const [editing, setEditing] = useState<AdminProgramme | null>(null);
  const [editingBasics, setEditingBasics] = useState<AdminProgramme | null>(null);
  const close = useCloseAction('programmes');
  const ruleText = useRuleText();
  const list = useQuery({
    queryKey: ['admin-programmes'],
    queryFn: ({ signal }) => api<{ items: AdminProgramme[] }>('/programmes', { signal }),
  });
  const create = useMutation({
    mutationFn: (v: ProgrammeForm) =>
      api('/programmes', {
        method: 'POST',
        body: { ...programmeBody(v), criteria: toCriteria(v.criteria) },
      }),
    onSuccess: () => {
      void message.success(t('parksAdmin.created'));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: ['admin-programmes'] });
      // the public catalogue lists programmes too
      void qc.invalidateQueries({ queryKey: ['programmes'] });
    },
  });
  const criterionName = (c: Criterion) => (locale === 'en' ? c.nameEn : c.name);

  return (
    <Page title={t('programmeAdmin.title')} testId="programme-admin-title">
      <Card size="small" title={t('programmeAdmin.newProgramme')} style={{ marginBottom: 16 }}>
        {create.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(create.error, locale)} /> : null}
        <Form<ProgrammeForm>
          form={form}
          layout="vertical"
          initialValues={{ category: 'training', rules: [], criteria: [] }}
          onFinish={(v) => create.mutate(v)}
        >
          <BasicsFields testIds="programme-admin" />
          <Typography.Title level={5}>{t('parksEdit.rules')}</Typography.Title>
          <EligibilityRulesEditor />
          <Typography.Title level={5}>{t('programmeAdmin.criteria')}</Typography.Title>
          <CriteriaEditor form={form} />
          <Button
            type="primary"
            htmlType="submit"
            loading={create.isPending}
            style={{ marginTop: 16 }}
            data-testid="programme-admin-create"
          >
            {t('parksAdmin.create')}
          </Button>
        </Form>
      </Card>
      <Card size="small">
        <Space className="table-toolbar" wrap>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t('common.refresh')}
          </Button>
        </Space>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<AdminProgramme>
            rowKey="id"
            size="middle"
            data-testid="programme-admin-table"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            pagination={{ defaultPageSize: 50, showTotal: (count) => t('common.total', { count }) }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('parksAdmin.name'),
                dataIndex: 'name',
                render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
              },
              {
                title: t('parksAdmin.category'),
                dataIndex: 'category',
                render: (c: string) =>
                  (CATEGORIES as readonly string[]).includes(c)
                    ? t(`programmeAdmin.categories.${c as (typeof CATEGORIES)[number]}`)
                    : c,
              },
              {
                title: t('parks.period'),
                key: 'period',
                render: (_: unknown, r) => <span className="nowrap">{`${r.opensOn} ~ ${r.closesOn}`}</span>,
              },
              {
                title: t('parksEdit.status'),
                dataIndex: 'status',
                render: (v: AdminProgramme['status']) => (
                  <Tag color={v === 'closed' ? 'default' : 'green'}>{t(`parksEdit.${v}`)}</Tag>
                ),
              },
              {
                title: t('parksEdit.rules'),
                key: 'rules',
                render: (_: unknown, r) => (
                  <Space size={[4, 4]} wrap data-testid={`programme-rules-${r.id}`}>
                    {r.rules.length === 0 ? <Tag>{t('parksEdit.noRulesTag')}</Tag> : null}
                    {r.rules.map((x, i) => (
                      <Tag key={i}>{ruleText(x)}</Tag>
                    ))}
                  </Space>
                ),
              },
              {
                title: t('programmeAdmin.criteria'),
                key: 'criteria',
                render: (_: unknown, r) => (
                  <Space size={[4, 4]} wrap data-testid={`programme-criteria-${r.id}`}>
                    {r.standardCriteria ? <Tag color="default">{t('programmeAdmin.standard')}</Tag> : null}
                    {r.criteria.map((c) => (
                      <Tooltip
                        key={c.key}
                        title={t('programmeAdmin.criterionLabel', { name: criterionName(c), weight: c.weight, max: c.max })}
                      >
                        <Tag color={r.standardCriteria ? undefined : 'blue'}>
                          {t('programmeAdmin.tag', { name: criterionName(c), weight: c.weight })}
                        </Tag>
                      </Tooltip>
                    ))}
                  </Space>
                ),
              },
              {
                title: t('programmeAdmin.applications'),
                key: 'applications',
                render: (_: unknown, r) => `${r.applications.submitted} / ${r.applications.decided}`,
              },
              {
                title: t('common.actions'),
                key: 'actions',
                align: 'right',
                render: (_: unknown, r) => (
                  <Space size={4}>
                    <Button
                      size="small"
                      disabled={r.status === 'closed'}
                      onClick={() => setEditingBasics(r)}
                      data-testid={`programme-edit-${r.id}`}
                    >
                      {t('parksEdit.edit')}
                    </Button>
                    <Tooltip title={r.criteriaLocked ? t('programmeAdmin.locked') : undefined}>
                      <Button
                        size="small"
                        disabled={r.criteriaLocked}
                        onClick={() => setEditing(r)}
                        data-testid={`programme-edit-criteria-${r.id}`}
                      >
                        {t('programmeAdmin.editCriteria')}
                      </Button>
                    </Tooltip>
                    <Popconfirm title={t('parksEdit.closeProgrammeConfirm')} onConfirm={() => close.mutate(r.id)}>
                      <Button
                        size="small"
                        danger
                        disabled={r.status === 'closed'}
                        loading={close.isPending && close.variables === r.id}
                        data-testid={`programme-close-${r.id}`}
                      >
                        {t('parksEdit.close')}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      {editing ? <CriteriaModal programme={editing} onClose={() => setEditing(null)} /> : null}
      {editingBasics ? <ProgrammeEditModal programme={editingBasics} onClose={() => setEditingBasics(null)} /> : null}
    </Page>
  );
}
