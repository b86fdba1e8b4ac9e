import { CameraOutlined, PictureOutlined, ScanOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Empty,
  Form,
  Image,
  Input,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, apiUrl, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';
import { DecisionHistoryButton, RuleHits, useRiskDecision } from './RiskDecisionHistory.tsx';

type Agency = 'customs' | 'inspection';

/** A result code of the code list (GET /inspection/finding-codes). */
interface FindingCode {
  code: string;
  category: 'pass' | 'fail_quality' | 'fail_quarantine' | 'fail_documents' | 'treatment';
  zh: string;
  en: string;
}

/** Which codes go with a result: a pass carries pass or treatment codes, a failure failure codes. */
const fitsResult = (c: FindingCode, result: 'pass' | 'fail'): boolean =>
  result === 'fail' ? c.category.startsWith('fail_') : !c.category.startsWith('fail_');
type TaskStatus = 'open' | 'passed' | 'failed' | 'withdrawn';

/** A photo uploaded for a task; its bytes are served to officers who may see the task. */
interface Photo {
  id: string;
  contentType: string;
  size: number;
  uploadedAt: string;
}

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
    /** ids of the task's photos */
    photos: string[];
    recordedAt: string;
  }[];
  pending: Agency[];
  photos: Photo[];
}

/** The types the server takes (it checks the bytes too); a phone camera gives JPEG. */
const PHOTO_ACCEPT = 'image/jpeg,image/png,image/webp';

function Thumb({ id, size = 88 }: { id: string; size?: number }) {
  return (
    <Image
      src={apiUrl(`/inspection/photos/${encodeURIComponent(id)}`)}
      width={size}
      height={size}
      style={{ objectFit: 'cover', borderRadius: 4 }}
      data-testid={`photo-${id}`}
    />
  );
}

/** Thumbnails of photo ids, larger on click; an old free-text reference is shown as text. */
function Thumbs({ ids, known }: { ids: string[]; known: Photo[] }) {
  if (ids.length === 0) return null;
  return (
    <Image.PreviewGroup>
      <Space wrap size={4}>
        {ids.map((id) =>
          known.some((p) => p.id === id) ? (
            <Thumb key={id} id={id} size={56} />
          ) : (
            <Typography.Text key={id} type="secondary">
              {id}
            </Typography.Text>
          ),
        )}
      </Space>
    </Image.PreviewGroup>
  );
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
  // Why the parcel was selected: the risk decision behind the task (officers with risk.read, of
  // the task's jurisdiction, as the server checks it).
  const canReadRisk = hasPermission(useSession(), 'risk.read');
  const decision = useRiskDecision(task.inventoryId, canReadRisk);
  const [form] = Form.useForm<{ result: 'pass' | 'fail'; codes: string; notes: string }>();
  const mine = myAgencies.filter((a) => task.pending.includes(a));
  const result = (Form.useWatch('result', form) as 'pass' | 'fail' | undefined) ?? 'pass';
  const codeList = useQuery({
    queryKey: ['inspection', 'finding-codes'],
    queryFn: () => api<{ items: FindingCode[] }>('/inspection/finding-codes'),
    staleTime: Infinity,
  });
  const addCode = (code: string) => {
    const now = split(form.getFieldValue('codes') as string | undefined);
    if (!now.includes(code)) form.setFieldValue('codes', [...now, code].join(', '));
  };
  // The photos ticked for my finding: each one I upload is ticked at once.
  const [picked, setPicked] = useState<string[]>([]);
  const camera = useRef<HTMLInputElement>(null);
  const gallery = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    mutationFn: (file: File) =>
      api<Photo>(`/inspection/tasks/${encodeURIComponent(task.id)}/photos`, {
        method: 'POST',
        rawBody: file,
        contentType: file.type || 'application/octet-stream',
      }),
    onSuccess: async (photo) => {
      void message.success(t('inspection.photoUploaded'));
      setPicked((s) => (s.includes(photo.id) ? s : [...s, photo.id]));
      await queryClient.invalidateQueries({ queryKey: ['inspection', 'scan'] });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });
  const onFiles = (e: ChangeEvent<HTMLInputElement>) => {
    for (const file of Array.from(e.target.files ?? [])) upload.mutate(file);
    e.target.value = ''; // the same file may be chosen again after an error
  };
  const record = useMutation({
    mutationFn: (v: { result: 'pass' | 'fail'; codes: string; notes: string }) =>
      api<Task>(`/inspection/tasks/${encodeURIComponent(task.id)}/findings`, {
        method: 'POST',
        body: {
          agency: mine[0],
          result: v.result,
          codes: split(v.codes),
          notes: v.notes || undefined,
          photos: picked.filter((id) => task.photos.some((p) => p.id === id)),
        },
      }),
    onSuccess: async (next) => {
      void message.success(t('inspection.recorded'));
      queryClient.setQueryData(['inspection', 'scan', task.logisticsNo], next);
      await queryClient.invalidateQueries({ queryKey: ['inspection', 'tasks'] });
      form.resetFields();
      setPicked([]);
    },
  });
  const canRecord = task.status === 'open' && mine.length > 0;
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
      {canReadRisk ? (
        <div className="block-gap" data-testid="task-why">
          <Space wrap>
            <Typography.Text strong>{t('inspection.whySelected')}</Typography.Text>
            <DecisionHistoryButton inventoryId={task.inventoryId} label={task.logisticsNo} testId="task-decision-history" />
          </Space>
          {decision.isError ? (
            <div>
              <Typography.Text type="secondary">{errorMessage(decision.error, locale)}</Typography.Text>
            </div>
          ) : decision.data ? (
            <RuleHits hits={decision.data.hits} testId="task-hits" />
          ) : null}
        </div>
      ) : null}
      {task.findings.map((f) => (
        <Alert
          key={f.agency}
          className="block-gap"
          type={f.result === 'pass' ? 'success' : 'error'}
          title={`${t(`inspection.agency.${f.agency}`)} · ${t(`inspection.${f.result}`)} · ${f.codes.join(', ')}`}
          description={
            <>
              <div>{`${f.notes ?? ''} ${formatDateTime(f.recordedAt, locale)}`}</div>
              <Thumbs ids={f.photos} known={task.photos} />
            </>
          }
        />
      ))}
      <div className="block-gap" data-testid="task-photos">
        <Typography.Text strong>{t('inspection.taskPhotos')}</Typography.Text>
        {task.photos.length === 0 ? (
          <div>
            <Typography.Text type="secondary">{t('inspection.noPhotos')}</Typography.Text>
          </div>
        ) : (
          <Image.PreviewGroup>
            <Checkbox.Group value={picked} onChange={(v) => setPicked(v)} disabled={!canRecord} style={{ display: 'block' }}>
              <Space wrap>
                {task.photos.map((p) => (
                  <Space key={p.id} orientation="vertical" size={2} align="center">
                    <Thumb id={p.id} />
                    {canRecord ? <Checkbox value={p.id} data-testid={`photo-pick-${p.id}`} /> : null}
                  </Space>
                ))}
              </Space>
            </Checkbox.Group>
          </Image.PreviewGroup>
        )}
        {canRecord ? (
          <div className="block-gap">
            <Space wrap>
              <Button icon={<CameraOutlined />} loading={upload.isPending} onClick={() => camera.current?.click()}>
                {t('inspection.photoTake')}
              </Button>
              <Button icon={<PictureOutlined />} loading={upload.isPending} onClick={() => gallery.current?.click()}>
                {t('inspection.photoPick')}
              </Button>
              <Typography.Text type="secondary">{t('inspection.photoHint')}</Typography.Text>
            </Space>
            {/* the camera on a phone; a file chooser elsewhere */}
            <input
              ref={camera}
              type="file"
              accept={PHOTO_ACCEPT}
              capture="environment"
              hidden
              onChange={onFiles}
              data-testid="photo-camera"
            />
            <input ref={gallery} type="file" accept={PHOTO_ACCEPT} multiple hidden onChange={onFiles} data-testid="photo-files" />
          </div>
        ) : null}
      </div>
      {canRecord ? (
        <Form form={form} layout="vertical" initialValues={{ result: 'pass' }} onFinish={(v) => record.mutate(v)}>
          {record.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(record.error, locale)} /> : null}
          <Form.Item name="result" label={`${t('inspection.result')} (${t(`inspection.agency.${mine[0]!}`)})`}>
            <Radio.Group data-testid="finding-result">
              <Radio value="pass">{t('inspection.pass')}</Radio>
              <Radio value="fail">{t('inspection.fail')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item
            name="codes"
            label={t('inspection.codes')}
            extra={
              <span data-testid="finding-code-list">
                {t('inspection.codesHint')}
                {(codeList.data?.items ?? [])
                  .filter((c) => fitsResult(c, result))
                  .map((c) => (
                    <Tag
                      key={c.code}
                      color={c.category === 'pass' ? 'green' : c.category === 'treatment' ? 'gold' : 'red'}
                      style={{ cursor: 'pointer' }}
                      onClick={() => addCode(c.code)}
                      data-testid={`finding-code-${c.code}`}
                    >
                      {c.code} {locale === 'en' ? c.en : c.zh}
                    </Tag>
                  ))}
              </span>
            }
          >
            <Input data-testid="finding-codes" />
          </Form.Item>
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
  // an officer acts for an agency whose duty the organisation holds (ADR 0025: customs and inspection merged or separate)
  const duties = session.user.organisation?.roles ?? [];
  const myAgencies: Agency[] = [
    ...(roles.includes('customs_officer') && duties.includes('customs') ? (['customs'] as const) : []),
    ...(roles.includes('inspection_officer') && duties.includes('inspection') ? (['inspection'] as const) : []),
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
