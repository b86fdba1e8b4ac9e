import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Descriptions, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

interface CaseRow {
  id: string;
  kind: string;
  subjectName: string;
  subjectCode: string;
  status: string;
  severity: string | null;
  source: string;
  createdAt: string;
  subjectOrgId: string;
  allowedEvents: string[];
}
interface Notices {
  cases: {
    id: string;
    kind: string;
    subjectName: string;
    subjectCode: string;
    severity: string | null;
    decision: string | null;
    publishedAt: string | null;
  }[];
  blacklist: { code: string; name: string; reason: string; listedAt: string }[];
}
interface Rating {
  level: string | null;
  blacklisted: boolean;
  current: {
    score: number;
    factors: { factor: string; value: string; points: number; explanation: { zh: string; en: string } }[];
  } | null;
}

type CaseEventName = 'investigate' | 'dismiss' | 'decide' | 'publish' | 'appeal' | 'uphold' | 'overturn';

const LEVEL_COLOR: Record<string, string> = { AA: 'green', A: 'blue', B: 'orange', C: 'red' };

/** 信用管理: cases (officers all, an enterprise its own), its rating with factors, public notices. */
export default function CreditPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const org = session.user.organisation;
  const en = i18n.language === 'en';
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const officer = hasPermission(session, 'credit.manage');
  const [deciding, setDeciding] = useState<string | null>(null);
  const [form] = Form.useForm<{ severity: string; decision: string; blacklist: boolean }>();
  const act = useMutation({
    mutationFn: (v: { id: string; event: string; body?: Record<string, unknown> }) =>
      v.event === 'appeal'
        ? api(`/credit/cases/${v.id}/appeal`, { method: 'POST', body: v.body })
        : api(`/credit/cases/${v.id}/transition`, { method: 'POST', body: { event: v.event, ...v.body } }),
    onSuccess: () => {
      setDeciding(null);
      void qc.invalidateQueries({ queryKey: ['credit-cases'] });
      void qc.invalidateQueries({ queryKey: ['credit-notices'] });
      void qc.invalidateQueries({ queryKey: ['credit-rating'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const cases = useQuery({
    queryKey: ['credit-cases'],
    queryFn: ({ signal }) => api<{ items: CaseRow[] }>('/credit/cases', { signal }),
  });
  const notices = useQuery({
    queryKey: ['credit-notices'],
    queryFn: ({ signal }) => api<Notices>('/public/credit/notices', { signal }),
  });
  const rating = useQuery({
    queryKey: ['credit-rating', org?.id],
    enabled: org?.kind === 'enterprise',
    queryFn: ({ signal }) => api<Rating>(`/credit/ratings/${org!.id}`, { signal }),
  });

  return (
    <Page title={t('credit.title')} testId="credit-title">
      {org?.kind === 'enterprise' ? (
        <Card size="small" title={t('credit.myRating')} style={{ marginBottom: 16 }}>
          {rating.error ? (
            <LoadError error={rating.error} />
          ) : (
            <>
              <Descriptions size="small" column={3}>
                <Descriptions.Item label={t('credit.level')}>
                  {rating.data?.level ? <Tag color={LEVEL_COLOR[rating.data.level]}>{rating.data.level}</Tag> : '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('credit.score')}>{rating.data?.current?.score ?? '—'}</Descriptions.Item>
              </Descriptions>
              <Table
                size="small"
                rowKey="factor"
                pagination={false}
                dataSource={rating.data?.current?.factors ?? []}
                columns={[
                  { title: t('credit.factor'), dataIndex: 'factor' },
                  { title: t('credit.value'), dataIndex: 'value' },
                  { title: t('credit.points'), dataIndex: 'points' },
                  {
                    title: t('credit.explanation'),
                    dataIndex: 'explanation',
                    render: (e: { zh: string; en: string }) => (en ? e.en : e.zh),
                  },
                ]}
              />
            </>
          )}
        </Card>
      ) : null}
      <Card size="small" title={t('credit.cases')} style={{ marginBottom: 16 }}>
        {cases.error ? (
          <LoadError error={cases.error} />
        ) : (
          <Table<CaseRow>
            size="small"
            rowKey="id"
            loading={cases.isLoading}
            dataSource={cases.data?.items ?? []}
            columns={[
              { title: t('credit.kind'), dataIndex: 'kind' },
              { title: t('credit.subject'), dataIndex: 'subjectName' },
              { title: t('credit.status'), dataIndex: 'status', render: (s: string) => <Tag>{s}</Tag> },
              { title: t('credit.severity'), dataIndex: 'severity' },
              { title: t('credit.source'), dataIndex: 'source' },
              { title: t('credit.createdAt'), dataIndex: 'createdAt', render: (v: string) => v.slice(0, 10) },
              {
                key: 'actions',
                render: (_: unknown, r: CaseRow) => (
                  <Space size={4} wrap>
                    {r.allowedEvents
                      .filter((e) => (officer ? e !== 'appeal' : e === 'appeal' && r.subjectOrgId === org?.id))
                      .map((e) => (
                        <Button
                          key={e}
                          size="small"
                          data-testid={`case-${e}`}
                          onClick={() =>
                            e === 'decide'
                              ? setDeciding(r.id)
                              : act.mutate({
                                  id: r.id,
                                  event: e,
                                  ...(e === 'appeal' ? { body: { reason: t('credit.appealReason') } } : {}),
                                })
                          }
                        >
                          {t(`credit.event.${e as CaseEventName}`)}
                        </Button>
                      ))}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Card size="small" title={t('credit.notices')}>
        <Table
          size="small"
          rowKey="id"
          dataSource={notices.data?.cases ?? []}
          columns={[
            { title: t('credit.subject'), dataIndex: 'subjectName' },
            { title: t('credit.kind'), dataIndex: 'kind' },
            { title: t('credit.severity'), dataIndex: 'severity' },
            { title: t('credit.decision'), dataIndex: 'decision' },
            { title: t('credit.publishedAt'), dataIndex: 'publishedAt', render: (v: string | null) => v?.slice(0, 10) ?? '' },
          ]}
        />
        <Table
          size="small"
          rowKey="code"
          title={() => t('credit.blacklist')}
          dataSource={notices.data?.blacklist ?? []}
          columns={[
            { title: t('credit.subject'), dataIndex: 'name' },
            { title: t('credit.code'), dataIndex: 'code' },
            { title: t('credit.decision'), dataIndex: 'reason' },
            { title: t('credit.publishedAt'), dataIndex: 'listedAt', render: (v: string) => v.slice(0, 10) },
          ]}
        />
      </Card>
      <Modal
        open={deciding !== null}
        title={t('credit.event.decide')}
        onCancel={() => setDeciding(null)}
        onOk={() => void form.validateFields().then((v) => act.mutate({ id: deciding!, event: 'decide', body: v }))}
        confirmLoading={act.isPending}
      >
        <Form form={form} layout="vertical" initialValues={{ severity: 'minor', blacklist: false }}>
          <Form.Item name="severity" label={t('credit.severity')} rules={[{ required: true }]}>
            <Select options={['none', 'minor', 'major'].map((v) => ({ value: v, label: v }))} />
          </Form.Item>
          <Form.Item name="decision" label={t('credit.decision')} rules={[{ required: true }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="blacklist" valuePropName="checked">
            <Checkbox>{t('credit.blacklist')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
    </Page>
  );
}
