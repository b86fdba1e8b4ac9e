import { ScanOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, Radio, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { useSession } from '../session.tsx';

type Agency = 'customs' | 'inspection';
type TaskStatus = 'open' | 'passed' | 'failed' | 'withdrawn';

interface Task {
  id: string;
  inventoryId: string;
  logisticsNo: string;
  ebcCode: string;
  agencies: Agency[];
  joint: boolean;
  status: TaskStatus;
  createdAt: string;
  releasedAt: string | null;
  findings: {
    agency: Agency;
    result: 'pass' | 'fail';
    codes: string[];
    notes: string | null;
    photos: string[];
    recordedAt: string;
  }[];
  pending: Agency[];
}

const STATUS_COLOR: Record<TaskStatus, string> = { open: 'orange', passed: 'green', failed: 'red', withdrawn: 'default' };
const split = (s: string | undefined): string[] =>
  (s ?? '')
    .split(/[,，\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** One task, opened by scanning its waybill: both agencies record on the same task. */
function TaskCard({ task, myAgencies }: { task: Task; myAgencies: Agency[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ result: 'pass' | 'fail'; codes: string; notes: string; photos: string }>();
  const mine = myAgencies.filter((a) => task.pending.includes(a));
  const record = useMutation({
    mutationFn: (v: { result: 'pass' | 'fail'; codes: string; notes: string; photos: string }) =>
      api<Task>(`/inspection/tasks/${encodeURIComponent(task.id)}/findings`, {
        method: 'POST',
        body: { agency: mine[0], result: v.result, codes: split(v.codes), notes: v.notes || undefined, photos: split(v.photos) },
      }),
    onSuccess: async (next) => {
      void message.success(t('inspection.recorded'));
      queryClient.setQueryData(['inspection', 'scan', task.logisticsNo], next);
      await queryClient.invalidateQueries({ queryKey: ['inspection', 'tasks'] });
      form.resetFields();
    },
  });
  return (
    <Card size="small" className="block-gap" data-testid={`task-${task.logisticsNo}`}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={t('risk.waybill')}>{task.logisticsNo}</Descriptions.Item>
        <Descriptions.Item label={t('inspection.status')}>
          <Tag color={STATUS_COLOR[task.status]} data-testid="task-status">
            {t(`inspection.taskStatus.${task.status}`)}
          </Tag>
          {task.releasedAt ? <Tag color="green">{t('inspection.released')}</Tag> : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('inspection.agencies')}>
          {task.agencies.map((a) => (
            <Tag key={a}>{t(`inspection.agency.${a}`)}</Tag>
          ))}
          {task.joint ? <Tag color="purple">{t('inspection.joint')}</Tag> : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('inspection.pending')}>
          <span data-testid="task-pending">{task.pending.map((a) => t(`inspection.agency.${a}`)).join('、') || '—'}</span>
        </Descriptions.Item>
      </Descriptions>
      {task.findings.map((f) => (
        <Alert
          key={f.agency}
          className="block-gap"
          type={f.result === 'pass' ? 'success' : 'error'}
          title={`${t(`inspection.agency.${f.agency}`)} · ${t(`inspection.${f.result}`)} · ${f.codes.join(', ')}`}
          description={`${f.notes ?? ''} ${formatDateTime(f.recordedAt, locale)}`}
        />
      ))}
      {task.status === 'open' && mine.length ? (
        <Form form={form} layout="vertical" initialValues={{ result: 'pass' }} onFinish={(v) => record.mutate(v)}>
          {record.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(record.error, locale)} /> : null}
          <Form.Item name="result" label={`${t('inspection.result')} (${t(`inspection.agency.${mine[0]!}`)})`}>
            <Radio.Group data-testid="finding-result">
              <Radio value="pass">{t('inspection.pass')}</Radio>
              <Radio value="fail">{t('inspection.fail')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Space wrap>
            <Form.Item name="codes" label={t('inspection.codes')}>
              <Input data-testid="finding-codes" />
            </Form.Item>
            <Form.Item name="photos" label={t('inspection.photos')}>
              <Input data-testid="finding-photos" />
            </Form.Item>
          </Space>
          <Form.Item name="notes" label={t('inspection.notes')}>
            <Input.TextArea rows={2} data-testid="finding-notes" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={record.isPending} data-testid="finding-submit">
            {t('inspection.record')}
          </Button>
        </Form>
      ) : null}
    </Card>
  );
}

/** The supervision-centre floor: scan a waybill to open its task; the open tasks below. */
export default function InspectionTasksPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const roles = session.user.roles;
  const myAgencies: Agency[] = [
    ...(roles.includes('customs_officer') ? (['customs'] as const) : []),
    ...(roles.includes('inspection_officer') ? (['inspection'] as const) : []),
  ];
  // the warehouse floor links here with the scanned waybill: the task opens at once
  const [params] = useSearchParams();
  const [waybill, setWaybill] = useState(params.get('waybill') ?? '');
  const [scanned, setScanned] = useState<string | null>(params.get('waybill') || null);
  const task = useQuery({
    queryKey: ['inspection', 'scan', scanned],
    queryFn: () => api<Task>(`/inspection/tasks/by-waybill/${encodeURIComponent(scanned!)}`),
    enabled: scanned !== null,
    retry: false,
  });
  const list = useQuery({
    queryKey: ['inspection', 'tasks'],
    queryFn: () => api<{ items: Task[] }>('/inspection/tasks', { query: { status: 'open' } }),
  });

  const columns: TableColumnsType<Task> = [
    {
      title: t('risk.waybill'),
      dataIndex: 'logisticsNo',
      key: 'logisticsNo',
      render: (v: string) => (
        <Button type="link" onClick={() => setScanned(v)}>
          {v}
        </Button>
      ),
    },
    { title: t('risk.seller'), dataIndex: 'ebcCode', key: 'ebcCode' },
    {
      title: t('inspection.agencies'),
      key: 'agencies',
      render: (_: unknown, r) => r.agencies.map((a) => <Tag key={a}>{t(`inspection.agency.${a}`)}</Tag>),
    },
    {
      title: t('inspection.pending'),
      key: 'pending',
      render: (_: unknown, r) => r.pending.map((a) => t(`inspection.agency.${a}`)).join('、'),
    },
    { title: t('risk.decidedAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatDateTime(v, locale) },
  ];

  return (
    <Page title={t('inspection.tasksTitle')} testId="inspection-tasks-title">
      <Space.Compact className="block-gap">
        <Input
          autoFocus
          prefix={<ScanOutlined />}
          placeholder={t('inspection.scan')}
          value={waybill}
          onChange={(e) => setWaybill(e.target.value)}
          onPressEnter={() => setScanned(waybill.trim() || null)}
          data-testid="inspection-scan"
          style={{ width: 320 }}
        />
        <Button type="primary" onClick={() => setScanned(waybill.trim() || null)} data-testid="inspection-scan-open">
          {t('inspection.open')}
        </Button>
      </Space.Compact>
      {task.error ? <Alert type="warning" showIcon className="block-gap" title={errorMessage(task.error, locale)} /> : null}
      {task.data ? <TaskCard task={task.data} myAgencies={myAgencies} /> : null}
      {list.error ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Task>
          rowKey="id"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: <Empty description={t('inspection.noTasks')} /> }}
          size="small"
        />
      )}
    </Page>
  );
}
