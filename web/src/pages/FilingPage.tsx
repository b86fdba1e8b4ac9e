import { EditOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Input, Space, Spin } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../api.ts';
import type { EnterpriseFiling, EnterpriseFilingInput } from '../clearance.ts';
import { OrgRoleTags, useRoleLabels } from '../components/labels.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { FilingStatusTag } from '../components/StatusTag.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { useSession } from '../session.tsx';

const KEY = ['filings', 'enterprise'] as const;
const ENTERPRISE_ROLES = ['ebp', 'ebc', 'logistics', 'payment', 'agent', 'warehouse', 'overseas'];

/** 企业备案: the enterprise's filing with customs — its status, and the application form. */
export default function FilingPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const labels = useRoleLabels();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EnterpriseFilingInput>();
  const [editing, setEditing] = useState(false);

  const filing = useQuery({
    queryKey: KEY,
    queryFn: async ({ signal }) => {
      try {
        return await api<EnterpriseFiling>('/filings/enterprise', { signal });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });

  const save = useMutation({
    mutationFn: async (input: { body: EnterpriseFilingInput; submit: boolean }) => {
      const saved = await api<EnterpriseFiling>('/filings/enterprise', { method: 'POST', body: input.body });
      return input.submit
        ? api<EnterpriseFiling>(`/filings/enterprise/${encodeURIComponent(saved.id)}/submit`, { method: 'POST' })
        : saved;
    },
    onSuccess: async (res, input) => {
      queryClient.setQueryData(KEY, res);
      setEditing(false);
      void message.success(input.submit ? t('filing.submitted') : t('filing.saved'));
      await queryClient.invalidateQueries({ queryKey: KEY });
    },
  });

  const submit = useMutation({
    mutationFn: (id: string) => api<EnterpriseFiling>(`/filings/enterprise/${encodeURIComponent(id)}/submit`, { method: 'POST' }),
    onSuccess: (res) => {
      queryClient.setQueryData(KEY, res);
      void message.success(t('filing.submitted'));
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  if (filing.isPending) return <Spin size="large" className="page-spin" />;
  if (filing.isError) return <LoadError error={filing.error} onRetry={() => void filing.refetch()} />;
  const f = filing.data;
  const canEdit = !f || f.status === 'draft' || f.status === 'rejected';
  const showForm = !f || editing;
  const org = session.user.organisation;

  const startEdit = () => {
    if (f) {
      form.setFieldsValue({
        licenceNo: f.licenceNo,
        legalRep: f.legalRep,
        contactName: f.contactName,
        contactPhone: f.contactPhone,
        contactEmail: f.contactEmail ?? '',
        address: f.address,
        roles: f.roles,
      });
    }
    setEditing(true);
  };

  const finish = (submitToo: boolean) => {
    void form.validateFields().then((v) => {
      const body: EnterpriseFilingInput = { ...v };
      if (!body.contactEmail) delete body.contactEmail;
      save.mutate({ body, submit: submitToo });
    });
  };

  return (
    <Page
      title={t('filing.title')}
      testId="filing-title"
      extra={
        f && canEdit && !editing ? (
          <Space>
            <Button icon={<EditOutlined />} onClick={startEdit}>
              {t('filing.edit')}
            </Button>
            <Button type="primary" icon={<SendOutlined />} loading={submit.isPending} onClick={() => submit.mutate(f.id)}>
              {t('filing.submit')}
            </Button>
          </Space>
        ) : null
      }
    >
      <Space orientation="vertical" size="large" className="full-width">
        {f ? (
          <Card>
            {f.status === 'rejected' && f.reason ? (
              <Alert type="error" showIcon className="block-gap" title={`${t('filing.reason')}：${f.reason}`} />
            ) : null}
            <Descriptions
              bordered
              column={2}
              items={[
                {
                  key: 'status',
                  label: t('filing.status'),
                  children: <FilingStatusTag status={f.status} testId="filing-status" />,
                },
                { key: 'name', label: t('filing.name'), children: f.name },
                { key: 'customsCode', label: t('filing.customsCode'), children: f.customsCode ?? '—' },
                { key: 'uscc', label: t('filing.uscc'), children: f.uscc ?? '—' },
                { key: 'licenceNo', label: t('filing.licenceNo'), children: f.licenceNo },
                { key: 'legalRep', label: t('filing.legalRep'), children: f.legalRep },
                { key: 'contactName', label: t('filing.contactName'), children: f.contactName },
                { key: 'contactPhone', label: t('filing.contactPhone'), children: f.contactPhone },
                { key: 'contactEmail', label: t('filing.contactEmail'), children: f.contactEmail ?? '—' },
                { key: 'address', label: t('filing.address'), children: f.address },
                { key: 'roles', label: t('filing.roles'), children: <OrgRoleTags roles={f.roles} /> },
                { key: 'jurisdiction', label: t('org.jurisdiction'), children: f.jurisdiction ?? '—' },
                { key: 'submittedAt', label: t('filing.submittedAt'), children: formatDateTime(f.submittedAt, locale) },
                { key: 'reviewedAt', label: t('filing.reviewedAt'), children: formatDateTime(f.reviewedAt, locale) },
              ]}
            />
          </Card>
        ) : (
          <Alert type="info" showIcon title={t('filing.none')} />
        )}
        {showForm && canEdit ? (
          <Card>
            {save.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(save.error, locale)} /> : null}
            <Form<EnterpriseFilingInput>
              form={form}
              layout="vertical"
              initialValues={{ roles: org?.roles.filter((r) => ENTERPRISE_ROLES.includes(r)) ?? [] }}
            >
              <div className="form-grid">
                <Form.Item
                  name="licenceNo"
                  label={t('filing.licenceNo')}
                  rules={[{ required: true, max: 18, message: t('filing.required') }]}
                >
                  <Input maxLength={18} />
                </Form.Item>
                <Form.Item
                  name="legalRep"
                  label={t('filing.legalRep')}
                  rules={[{ required: true, message: t('filing.required') }]}
                >
                  <Input maxLength={50} />
                </Form.Item>
                <Form.Item
                  name="contactName"
                  label={t('filing.contactName')}
                  rules={[{ required: true, message: t('filing.required') }]}
                >
                  <Input maxLength={50} />
                </Form.Item>
                <Form.Item
                  name="contactPhone"
                  label={t('filing.contactPhone')}
                  rules={[{ required: true, message: t('filing.required') }]}
                >
                  <Input maxLength={30} />
                </Form.Item>
                <Form.Item name="contactEmail" label={t('filing.contactEmail')} rules={[{ type: 'email' }]}>
                  <Input maxLength={100} />
                </Form.Item>
                <Form.Item name="address" label={t('filing.address')} rules={[{ required: true, message: t('filing.required') }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </div>
              <Form.Item
                name="roles"
                label={t('filing.roles')}
                rules={[{ required: true, type: 'array', min: 1, message: t('filing.required') }]}
              >
                <Checkbox.Group options={ENTERPRISE_ROLES.map((r) => ({ value: r, label: labels.orgRole(r) }))} />
              </Form.Item>
              <Space>
                <Button onClick={() => finish(false)} loading={save.isPending && !save.variables?.submit}>
                  {t('filing.save')}
                </Button>
                <Button type="primary" onClick={() => finish(true)} loading={save.isPending && save.variables?.submit}>
                  {t('filing.saveAndSubmit')}
                </Button>
                {f ? <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button> : null}
              </Space>
            </Form>
          </Card>
        ) : null}
      </Space>
    </Page>
  );
}
