import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import {
  APPLICATION_STATUS_COLOUR,
  useParkCatalogues,
  type Application,
  type ApplicationStatus,
  weightedTotal,
  type Criterion,
} from '../parks.ts';

const FIGURES = ['exportsCny', 'exportsUsd', 'parcels', 'refundsCny', 'creditLevelRank', 'parkMember'] as const;

interface DecisionForm {
  scores: Record<string, number>;
  decision: 'approve' | 'reject';
  note?: string;
}

/** Scores per criterion, the total, approve or reject, and the reason the enterprise will read. */
function DecisionModal({ app, onClose }: { app: Application; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<DecisionForm>();
  const scores = Form.useWatch('scores', form) as Record<string, number | null> | undefined;
  const decision = Form.useWatch('decision', form);
  // each criterion counts points / max × weight; the weights add up to 100
  const total = weightedTotal(app.criteria, scores ?? {});
  const name = (c: Criterion) => (locale === 'en' ? c.nameEn : c.name);
  const decide = useMutation({
    mutationFn: (v: DecisionForm) =>
      api<Application>(`/applications/${app.id}/decision`, {
        method: 'POST',
        body: { decision: v.decision, scores: v.scores, ...(v.note?.trim() ? { note: v.note.trim() } : {}) },
      }),
    onSuccess: () => {
      void message.success(t('parksWork.decided'));
      void qc.invalidateQueries({ queryKey: ['review-applications'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('parksWork.reviewOf', { name: app.orgName ?? app.orgCode })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('parksWork.submitDecision')}
      okButtonProps={{ danger: decision === 'reject', 'data-testid': 'review-submit' } as ButtonProps}
      confirmLoading={decide.isPending}
      destroyOnHidden
      width={640}
    >
      {decide.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(decide.error, locale)} /> : null}
      <Descriptions size="small" column={1} className="block-gap">
        <Descriptions.Item label={t('parksWork.programme')}>{app.programmeName}</Descriptions.Item>
        <Descriptions.Item label={t('parksWork.statement')}>{app.statement}</Descriptions.Item>
        <Descriptions.Item label={t('parksWork.figures')}>
          <Space wrap>
            {FIGURES.filter((f) => f in app.figures).map((f) => (
              <Tag key={f}>
                {t(`parksWork.figure.${f}`)}: {app.figures[f]?.toLocaleString(locale)}
              </Tag>
            ))}
          </Space>
        </Descriptions.Item>
      </Descriptions>
      <Form<DecisionForm>
        form={form}
        layout="horizontal"
        labelCol={{ span: 12 }}
        initialValues={{ decision: 'approve' }}
        onFinish={(v) => decide.mutate(v)}
      >
        <Typography.Title level={5}>{t('parksWork.criteria')}</Typography.Title>
        {app.criteria.map((c) => (
          <Form.Item
            key={c.key}
            name={['scores', c.key]}
            label={t('programmeAdmin.criterionLabel', { name: name(c), weight: c.weight, max: c.max })}
            rules={[{ required: true, message: t('parksWork.scoreRequired') }]}
          >
            <InputNumber min={0} max={c.max} precision={0} data-testid={`review-score-${c.key}`} />
          </Form.Item>
        ))}
        <Form.Item label={t('programmeAdmin.weightedTotal')}>
          <Typography.Text strong data-testid="review-total">
            {total} / 100
          </Typography.Text>
        </Form.Item>
        <Form.Item name="decision" label={t('parksWork.decision')}>
          <Radio.Group>
            <Radio value="approve" data-testid="review-approve">
              {t('parksWork.approve')}
            </Radio>
            <Radio value="reject" data-testid="review-reject">
              {t('parksWork.reject')}
            </Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="note"
          label={t('parksWork.reason')}
          rules={[{ required: decision === 'reject', whitespace: true, max: 2000, message: t('parksWork.reasonRequired') }]}
        >
          <Input.TextArea rows={3} maxLength={2000} data-testid="review-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 扶持项目评审: the commerce department reviews, scores by criteria and decides support applications. */
export default function ProgrammeReviewPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [programmeId, setProgrammeId] = useState<string | undefined>();
  const [status, setStatus] = useState<ApplicationStatus | undefined>('submitted');
  const [reviewing, setReviewing] = useState<Application | null>(null);
  const { programmes } = useParkCatalogues();
  const list = useQuery({
    queryKey: ['review-applications', programmeId, status],
    queryFn: ({ signal }) => api<{ items: Application[] }>('/review/applications', { query: { programmeId, status }, signal }),
  });
  return (
    <Page title={t('parksWork.reviewTitle')} testId="programme-review-title">
      <Card>
        <Space className="table-toolbar" wrap>
          <Select<string>
            allowClear
            style={{ minWidth: 260 }}
            placeholder={t('parksWork.allProgrammes')}
            value={programmeId}
            onChange={(v) => setProgrammeId(v)}
            options={(programmes.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
          <Select<ApplicationStatus>
            allowClear
            style={{ minWidth: 160 }}
            placeholder={t('parksWork.allStatuses')}
            value={status}
            onChange={(v) => setStatus(v)}
            data-testid="review-status-filter"
            options={(['submitted', 'approved', 'rejected'] as const).map((s) => ({
              value: s,
              label: t(`parksWork.statuses.${s}`),
            }))}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t('common.refresh')}
          </Button>
          {/* the list as filtered, as a workbook */}
          <Button
            icon={<DownloadOutlined />}
            href={apiUrl('/review/applications/export.xlsx', { programmeId, status, lang: locale === 'en' ? 'en' : 'zh' })}
            download="support-applications.xlsx"
            data-testid="review-export"
          >
            {t('parksExport.applications')}
          </Button>
        </Space>
        {list.isError ? (
          <LoadError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<Application>
            rowKey="id"
            size="middle"
            data-testid="review-table"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            pagination={{ defaultPageSize: 50, showTotal: (count) => t('common.total', { count }) }}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('parksWork.programme'), dataIndex: 'programmeName' },
              {
                title: t('parksWork.enterprise'),
                key: 'org',
                render: (_: unknown, a) => (
                  <Space orientation="vertical" size={0}>
                    <Typography.Text strong>{a.orgName ?? a.orgCode}</Typography.Text>
                    <Typography.Text type="secondary">{a.orgCode}</Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('parksWork.figures'),
                key: 'figures',
                render: (_: unknown, a) => (
                  <span className="nowrap">
                    {t('parksWork.figure.exportsCny')} {(a.figures.exportsCny ?? 0).toLocaleString(locale)} ·{' '}
                    {t('parksWork.figure.parcels')} {(a.figures.parcels ?? 0).toLocaleString(locale)}
                  </span>
                ),
              },
              { title: t('parksWork.statement'), dataIndex: 'statement', ellipsis: true },
              {
                title: t('parksWork.submittedAt'),
                dataIndex: 'createdAt',
                render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
              },
              {
                title: t('parksWork.status'),
                dataIndex: 'status',
                render: (s: ApplicationStatus, a) => (
                  <Space orientation="vertical" size={0}>
                    <Tag color={APPLICATION_STATUS_COLOUR[s]}>{t(`parksWork.statuses.${s}`)}</Tag>
                    {a.note ? <Typography.Text type={s === 'rejected' ? 'danger' : 'secondary'}>{a.note}</Typography.Text> : null}
                  </Space>
                ),
              },
              { title: t('parksWork.score'), dataIndex: 'score', render: (v: number | null) => v ?? '—' },
              {
                title: t('common.actions'),
                key: 'actions',
                align: 'right',
                render: (_: unknown, a) =>
                  a.status === 'submitted' ? (
                    <Button type="primary" size="small" onClick={() => setReviewing(a)} data-testid={`review-open-${a.id}`}>
                      {t('parksWork.review')}
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
      </Card>
      {reviewing ? <DecisionModal app={reviewing} onClose={() => setReviewing(null)} /> : null}
    </Page>
  );
}
