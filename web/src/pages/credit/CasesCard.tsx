import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl, errorMessage } from '../../api.ts';
import { LoadError } from '../../components/Page.tsx';
import { formatDateTime } from '../../format.ts';
import { useLocale } from '../../i18n/index.ts';
import { CaseDrawer } from './CaseDrawer.tsx';
import { CaseKindTag, CaseStatusTag, SeverityText } from './labels.tsx';
import { CASE_KINDS, type CaseEventName, type CaseKind, type CaseRow } from './types.ts';

interface OpenCaseForm {
  kind: CaseKind;
  subjectCode: string;
  summary: string;
}

/** A form that does not validate shows its errors in place: nothing more to do. */
const ignoreInvalid = (): void => undefined;

/** Refreshes everything a case changes: the list, the case, the notices and ratings. */
function useCreditInvalidate() {
  const qc = useQueryClient();
  return () => {
    for (const key of ['credit-cases', 'credit-case', 'credit-notices', 'credit-rating', 'credit-ratings'])
      void qc.invalidateQueries({ queryKey: [key] });
  };
}

/**
 * 信用案件: officers see their jurisdiction's cases, open one, move it on (investigate, decide …)
 * and export them; an enterprise sees the cases about itself and appeals a decision with its own
 * written reason. Every row opens the case with its events.
 */
export function CasesCard({
  officer,
  orgId,
  onViewSubject,
}: {
  officer: boolean;
  orgId: string | undefined;
  onViewSubject?: (orgId: string) => void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const lang = locale === 'en' ? 'en' : 'zh';
  const { message } = App.useApp();
  const refresh = useCreditInvalidate();
  const [viewing, setViewing] = useState<string | null>(null);
  const [deciding, setDeciding] = useState<string | null>(null);
  const [appealing, setAppealing] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const [decideForm] = Form.useForm<{ severity: string; decision: string; blacklist: boolean }>();
  const [appealForm] = Form.useForm<{ reason: string }>();
  const [openForm] = Form.useForm<OpenCaseForm>();

  const cases = useQuery({
    queryKey: ['credit-cases'],
    queryFn: ({ signal }) => api<{ items: CaseRow[] }>('/credit/cases', { signal }),
  });
  const onError = (e: unknown) => void message.error(errorMessage(e, locale));
  const act = useMutation({
    mutationFn: (v: { id: string; event: string; body?: Record<string, unknown> }) =>
      api(`/credit/cases/${v.id}/transition`, { method: 'POST', body: { event: v.event, ...v.body } }),
    onSuccess: () => {
      setDeciding(null);
      decideForm.resetFields();
      refresh();
    },
    onError,
  });
  const appeal = useMutation({
    mutationFn: (v: { id: string; reason: string }) =>
      api(`/credit/cases/${v.id}/appeal`, { method: 'POST', body: { reason: v.reason } }),
    onSuccess: () => {
      setAppealing(null);
      appealForm.resetFields();
      void message.success(t('credit.appealed'));
      refresh();
    },
    onError,
  });
  const open = useMutation({
    mutationFn: (v: OpenCaseForm) =>
      api<CaseRow>('/credit/cases', { method: 'POST', body: { ...v, subjectCode: v.subjectCode.trim().toUpperCase() } }),
    onSuccess: (c) => {
      setOpening(false);
      openForm.resetFields();
      void message.success(t('credit.opened'));
      refresh();
      setViewing(c.id);
    },
    onError,
  });

  const events = (r: CaseRow): CaseEventName[] =>
    r.allowedEvents.filter((e) => (officer ? e !== 'appeal' : e === 'appeal' && r.subjectOrgId === orgId));

  return (
    <Card
      size="small"
      title={t('credit.cases')}
      style={{ marginBottom: 16 }}
      extra={
        officer ? (
          <Space>
            <Button
              size="small"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setOpening(true)}
              data-testid="credit-open-case"
            >
              {t('credit.openCase')}
            </Button>
            <Button
              size="small"
              icon={<DownloadOutlined />}
              href={apiUrl('/credit/cases/export.xlsx', { lang })}
              download="cbec-credit-cases.xlsx"
              data-testid="credit-export-cases"
            >
              {t('credit.exportCases')}
            </Button>
          </Space>
        ) : null
      }
    >
      {cases.error ? (
        <LoadError error={cases.error} onRetry={() => void cases.refetch()} />
      ) : (
        <Table<CaseRow>
          size="small"
          rowKey="id"
          loading={cases.isLoading}
          data-testid="credit-cases"
          dataSource={cases.data?.items ?? []}
          columns={[
            { title: t('credit.kind'), dataIndex: 'kind', render: (k: string) => <CaseKindTag kind={k} /> },
            {
              title: t('credit.subject'),
              dataIndex: 'subjectName',
              render: (name: string, r) =>
                officer && onViewSubject ? (
                  <Typography.Link onClick={() => onViewSubject(r.subjectOrgId)}>{name}</Typography.Link>
                ) : (
                  name
                ),
            },
            { title: t('credit.summary'), dataIndex: 'summary', ellipsis: true },
            { title: t('credit.status'), dataIndex: 'status', render: (s: string) => <CaseStatusTag status={s} /> },
            {
              title: t('credit.severity'),
              dataIndex: 'severity',
              render: (s: CaseRow['severity']) => <SeverityText severity={s} />,
            },
            { title: t('credit.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v, locale) },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, r: CaseRow) => (
                <Space size={4} wrap>
                  <Button size="small" type="link" onClick={() => setViewing(r.id)} data-testid="case-view">
                    {t('credit.view')}
                  </Button>
                  {events(r).map((e) => (
                    <Button
                      key={e}
                      size="small"
                      data-testid={`case-${e}`}
                      loading={act.isPending && act.variables?.id === r.id && act.variables.event === e}
                      onClick={() =>
                        e === 'decide'
                          ? setDeciding(r.id)
                          : e === 'appeal'
                            ? setAppealing(r.id)
                            : act.mutate({ id: r.id, event: e })
                      }
                    >
                      {t(`credit.event.${e}`)}
                    </Button>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      )}
      <CaseDrawer id={viewing} onClose={() => setViewing(null)} />
      <Modal
        open={opening}
        title={t('credit.openCaseTitle')}
        onCancel={() => setOpening(false)}
        onOk={() => void openForm.validateFields().then((v) => open.mutate(v), ignoreInvalid)}
        okButtonProps={{ 'data-testid': 'credit-open-submit' }}
        confirmLoading={open.isPending}
        destroyOnHidden
      >
        <Form form={openForm} layout="vertical" initialValues={{ kind: 'counterfeit' }}>
          <Form.Item name="kind" label={t('credit.kind')} rules={[{ required: true }]}>
            <Select
              data-testid="credit-open-kind"
              options={CASE_KINDS.map((k) => ({ value: k, label: t(`credit.kinds.${k}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="subjectCode"
            label={t('credit.subjectCode')}
            rules={[{ required: true, pattern: /^\s*[0-9A-Za-z]{10}([0-9A-Za-z]{8})?\s*$/ }]}
          >
            <Input data-testid="credit-open-code" maxLength={18} />
          </Form.Item>
          <Form.Item name="summary" label={t('credit.summary')} rules={[{ required: true, min: 5, whitespace: true }]}>
            <Input.TextArea rows={4} maxLength={4000} data-testid="credit-open-summary" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={deciding !== null}
        title={t('credit.event.decide')}
        onCancel={() => setDeciding(null)}
        onOk={() =>
          void decideForm.validateFields().then((v) => act.mutate({ id: deciding!, event: 'decide', body: v }), ignoreInvalid)
        }
        okButtonProps={{ 'data-testid': 'credit-decide-submit' }}
        confirmLoading={act.isPending}
      >
        <Form form={decideForm} layout="vertical" initialValues={{ severity: 'minor', blacklist: false }}>
          <Form.Item name="severity" label={t('credit.severity')} rules={[{ required: true }]}>
            <Select
              options={(['none', 'minor', 'major'] as const).map((v) => ({ value: v, label: t(`credit.severities.${v}`) }))}
            />
          </Form.Item>
          <Form.Item name="decision" label={t('credit.decision')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea rows={3} data-testid="credit-decision" />
          </Form.Item>
          <Form.Item name="blacklist" valuePropName="checked">
            <Checkbox>{t('credit.blacklist')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={appealing !== null}
        title={t('credit.appealReason')}
        onCancel={() => setAppealing(null)}
        onOk={() =>
          void appealForm.validateFields().then((v) => appeal.mutate({ id: appealing!, reason: v.reason.trim() }), ignoreInvalid)
        }
        okButtonProps={{ 'data-testid': 'credit-appeal-submit' }}
        confirmLoading={appeal.isPending}
      >
        <Form form={appealForm} layout="vertical">
          <Form.Item
            name="reason"
            label={t('credit.appealReasonLabel')}
            rules={[{ required: true, whitespace: true, min: 5, max: 4000 }]}
          >
            <Input.TextArea rows={4} maxLength={4000} data-testid="credit-appeal-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
