import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api.ts';
import { ImportErrorsTable } from '../components/ImportErrorsTable.tsx';
import { LoadError, Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';

type Source = 'database' | 'builtin' | 'provisional' | 'uncovered';
interface Entry {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
  source: string;
  createdAt: string;
}
interface YearView {
  year: number;
  source: Source;
  confirmed: boolean;
  entries: Entry[];
  effective: { holidays: string[]; workdays: string[] };
  builtIn: { source: Source; holidays: string[]; workdays: string[] };
  deadlines: { period: string; deadline: string | null; provisional: boolean }[];
}
interface AddForm {
  from: string;
  to?: string;
  kind: 'holiday' | 'workday';
  name: string;
  source: string;
}

const SOURCE_COLOR: Record<Source, string> = {
  database: 'green',
  builtin: 'blue',
  provisional: 'orange',
  uncovered: 'red',
};
const SOURCE_KEY = {
  database: 'holx.sourceDatabase',
  builtin: 'holx.sourceBuiltin',
  provisional: 'holx.sourceProvisional',
  uncovered: 'holx.sourceUncovered',
} as const;

/** The days from `from` to `to` (inclusive), YYYY-MM-DD; just `from` without `to`; at most 31. */
function daysBetween(from: string, to?: string): string[] {
  const out: string[] = [];
  const end = to && to >= from ? to : from;
  for (let d = new Date(`${from}T00:00:00Z`); !Number.isNaN(d.getTime()) && out.length < 31; d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.toISOString().slice(0, 10);
    if (day > end) break;
    out.push(day);
  }
  return out.length ? out : [from];
}

/** Dates grouped into runs of consecutive days: "02-06 – 02-15". */
function runs(days: string[]): string {
  const sorted = [...days].sort();
  const out: string[] = [];
  let start = '';
  let prev = '';
  const next = (d: string) => {
    const x = new Date(`${d}T00:00:00Z`);
    x.setUTCDate(x.getUTCDate() + 1);
    return x.toISOString().slice(0, 10);
  };
  for (const d of sorted) {
    if (start && next(prev) === d) {
      prev = d;
      continue;
    }
    if (start) out.push(start === prev ? start.slice(5) : `${start.slice(5)} – ${prev.slice(5)}`);
    start = d;
    prev = d;
  }
  if (start) out.push(start === prev ? start.slice(5) : `${start.slice(5)} – ${prev.slice(5)}`);
  return out.join('，');
}

/**
 * 节假日安排: the days the summary deadlines are computed with, per year. When the State Council
 * publishes a year's arrangement (放假调休), the platform operator or customs enters it here; every
 * logged-in user who sees deadlines may read it.
 */
export default function HolidayCalendarPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const canEdit = hasPermission(session, 'summary.calendar');
  const [year, setYear] = useState(new Date().getFullYear() + 1);
  const [form] = Form.useForm<AddForm>();
  const key = ['holiday-calendar', year];
  const view = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<YearView>('/summary/holiday-calendar', { query: { year }, signal }),
  });
  const refresh = (v: YearView) => {
    qc.setQueryData(key, v);
    void qc.invalidateQueries({ queryKey: ['summary-deadlines'] });
  };
  const add = useMutation({
    mutationFn: (v: AddForm) =>
      api<YearView>('/summary/holiday-calendar', {
        method: 'POST',
        body: {
          year,
          days: daysBetween(v.from.trim(), v.to?.trim() || undefined).map((date) => ({
            date,
            kind: v.kind,
            name: v.name,
            source: v.source,
          })),
        },
      }),
    onSuccess: (v, sent) => {
      refresh(v);
      void message.success(t('holx.added', { count: daysBetween(sent.from.trim(), sent.to?.trim() || undefined).length }));
      form.resetFields(['from', 'to']);
    },
  });
  const remove = useMutation({
    mutationFn: (date: string) => api<YearView>('/summary/holiday-calendar', { method: 'DELETE', query: { date } }),
    onSuccess: (v) => {
      refresh(v);
      void message.success(t('holx.removed'));
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  const addErrors =
    add.error instanceof ApiError
      ? add.error.errors.map((p, i) => ({
          key: String(i),
          row: Number(/days\[(\d+)\]/.exec(p.field)?.[1] ?? -1) + 1,
          field: p.field,
          rule: p.rule,
          message: locale === 'en' ? p.message.en : p.message.zh,
        }))
      : [];
  const v = view.data;

  return (
    <Page
      title={t('holx.title')}
      testId="holiday-title"
      extra={
        <Space>
          {t('holx.year')}
          <InputNumber min={2000} max={2100} value={year} onChange={(y) => y && setYear(y)} data-testid="holiday-year" />
        </Space>
      }
    >
      {view.error ? (
        <LoadError error={view.error} onRetry={() => void view.refetch()} />
      ) : v ? (
        <>
          <Alert
            type={v.confirmed ? 'success' : 'warning'}
            showIcon
            style={{ marginBottom: 16 }}
            message={
              <Space>
                {t('holx.source')}
                <Tag color={SOURCE_COLOR[v.source]} data-testid="holiday-source">
                  {t(SOURCE_KEY[v.source])}
                </Tag>
              </Space>
            }
            description={t('holx.replaceHint')}
          />
          <Row gutter={16}>
            <Col xs={24} lg={14}>
              <Card size="small" title={t('holx.entries')} style={{ marginBottom: 16 }}>
                <Table<Entry>
                  size="small"
                  rowKey="date"
                  dataSource={v.entries}
                  pagination={v.entries.length > 40 ? { pageSize: 40 } : false}
                  locale={{ emptyText: t('holx.noEntries') }}
                  data-testid="holiday-entries"
                  columns={[
                    { title: t('holx.date'), dataIndex: 'date' },
                    {
                      title: t('holx.kind'),
                      dataIndex: 'kind',
                      render: (k: Entry['kind']) => (
                        <Tag color={k === 'holiday' ? 'red' : 'blue'}>{t(k === 'holiday' ? 'holx.holiday' : 'holx.workday')}</Tag>
                      ),
                    },
                    { title: t('holx.name'), dataIndex: 'name' },
                    { title: t('holx.notice'), dataIndex: 'source', ellipsis: true },
                    ...(canEdit
                      ? [
                          {
                            title: t('common.actions'),
                            render: (_: unknown, e: Entry) => (
                              <Popconfirm
                                title={t('holx.removeConfirm', { date: e.date })}
                                onConfirm={() => remove.mutate(e.date)}
                              >
                                <Button size="small" danger data-testid={`holiday-remove-${e.date}`}>
                                  {t('holx.remove')}
                                </Button>
                              </Popconfirm>
                            ),
                          },
                        ]
                      : []),
                  ]}
                />
              </Card>
              {canEdit ? (
                <Card size="small" title={t('holx.addTitle')} style={{ marginBottom: 16 }} data-testid="holiday-add">
                  <Form<AddForm>
                    form={form}
                    layout="vertical"
                    initialValues={{ kind: 'holiday' }}
                    onFinish={(x) => add.mutate(x)}
                  >
                    <Space wrap align="start">
                      <Form.Item name="from" label={t('holx.from')} rules={[{ required: true }]}>
                        <Input placeholder={`${year}-02-06`} style={{ width: 130 }} data-testid="holiday-from" />
                      </Form.Item>
                      <Form.Item name="to" label={t('holx.to')}>
                        <Input placeholder={`${year}-02-15`} style={{ width: 130 }} data-testid="holiday-to" />
                      </Form.Item>
                      <Form.Item name="kind" label={t('holx.kind')} rules={[{ required: true }]}>
                        <Select
                          style={{ width: 140 }}
                          data-testid="holiday-kind"
                          options={[
                            { value: 'holiday', label: t('holx.holiday') },
                            { value: 'workday', label: t('holx.workday') },
                          ]}
                        />
                      </Form.Item>
                      <Form.Item name="name" label={t('holx.name')} rules={[{ required: true }]}>
                        <Input placeholder="春节" style={{ width: 120 }} data-testid="holiday-name" />
                      </Form.Item>
                      <Form.Item name="source" label={t('holx.notice')} rules={[{ required: true }]}>
                        <Input
                          placeholder={`国务院办公厅关于${year}年部分节假日安排的通知`}
                          style={{ width: 320 }}
                          data-testid="holiday-notice"
                        />
                      </Form.Item>
                    </Space>
                    <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="holiday-submit">
                      {t('holx.add')}
                    </Button>
                  </Form>
                  {add.error ? (
                    <Alert type="error" showIcon style={{ marginTop: 12 }} message={errorMessage(add.error, locale)} />
                  ) : null}
                  <ImportErrorsTable rows={addErrors} testId="holiday-add-errors" />
                </Card>
              ) : (
                <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('holx.readOnly')} />
              )}
            </Col>
            <Col xs={24} lg={10}>
              <Card size="small" title={t('holx.deadlines')} style={{ marginBottom: 16 }}>
                <Table
                  size="small"
                  rowKey="period"
                  pagination={false}
                  dataSource={v.deadlines}
                  data-testid="holiday-deadlines"
                  columns={[
                    { title: t('holx.period'), dataIndex: 'period' },
                    {
                      title: t('holx.deadline'),
                      render: (_: unknown, d: YearView['deadlines'][number]) =>
                        d.deadline === null ? (
                          <Tag color="red">{t('holx.uncoveredDeadline')}</Tag>
                        ) : (
                          <Space>
                            {d.deadline}
                            {d.provisional ? (
                              <Tag data-testid={`holiday-deadline-provisional-${d.period}`}>{t('sumx.provisional')}</Tag>
                            ) : null}
                          </Space>
                        ),
                    },
                  ]}
                />
              </Card>
              <Card size="small" title={t('holx.effective')} style={{ marginBottom: 16 }} data-testid="holiday-effective">
                <p>
                  <Tag color="red">{t('holx.holiday')}</Tag> {runs(v.effective.holidays) || '—'}
                </p>
                <p>
                  <Tag color="blue">{t('holx.workday')}</Tag> {runs(v.effective.workdays) || '—'}
                </p>
              </Card>
              {v.source === 'database' ? (
                <Card size="small" title={`${t('holx.builtIn')} · ${t(SOURCE_KEY[v.builtIn.source])}`}>
                  <p>
                    <Tag color="red">{t('holx.holiday')}</Tag> {runs(v.builtIn.holidays) || '—'}
                  </p>
                  <p>
                    <Tag color="blue">{t('holx.workday')}</Tag> {runs(v.builtIn.workdays) || '—'}
                  </p>
                </Card>
              ) : null}
            </Col>
          </Row>
        </>
      ) : null}
    </Page>
  );
}
