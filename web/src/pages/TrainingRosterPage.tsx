import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { certificateHref, cstTime, useParkCatalogues, type Offering, type RosterLine } from '../parks.ts';

/**
 * 签到与证书: the organiser picks a course or event, ticks who came from its roster and records
 * attendance; each attendee is issued a numbered certificate (once) that can be printed here.
 */
export default function TrainingRosterPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const offeringId = params.get('offering') ?? undefined;
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const { offerings } = useParkCatalogues();
  const roster = useQuery({
    queryKey: ['roster', offeringId],
    enabled: !!offeringId,
    queryFn: ({ signal }) => api<{ offering: Offering; items: RosterLine[] }>(`/offerings/${offeringId}/roster`, { signal }),
  });
  const mark = useMutation({
    mutationFn: (userIds: string[]) =>
      api<{ marked: number; enrolments: RosterLine[] }>(`/offerings/${offeringId}/attendance`, {
        method: 'POST',
        body: { userIds },
      }),
    onSuccess: (r) => {
      void message.success(t('parksWork.marked', { count: r.marked }));
      setTicked(new Set());
      qc.setQueryData(['roster', offeringId], (old: { offering: Offering; items: RosterLine[] } | undefined) =>
        old ? { ...old, items: r.enrolments } : old,
      );
    },
  });
  const title = (o: Offering) => (locale === 'en' && o.titleEn ? o.titleEn : o.title);
  const toggle = (userId: string, on: boolean) =>
    setTicked((s) => {
      const next = new Set(s);
      if (on) next.add(userId);
      else next.delete(userId);
      return next;
    });

  return (
    <Page title={t('parksWork.rosterTitle')} testId="roster-title">
      <Card>
        <Space className="table-toolbar" wrap>
          <Select<string>
            showSearch
            optionFilterProp="label"
            style={{ minWidth: 360 }}
            placeholder={t('parksWork.chooseOffering')}
            value={offeringId}
            data-testid="roster-offering"
            onChange={(v) => {
              setTicked(new Set());
              setParams(v ? { offering: v } : {});
            }}
            options={(offerings.data?.items ?? []).map((o) => ({
              value: o.id,
              label: `${cstTime(o.startsAt)} ${title(o)}`,
            }))}
          />
          <Button
            icon={<ReloadOutlined />}
            disabled={!offeringId}
            onClick={() => void roster.refetch()}
            loading={roster.isFetching}
          >
            {t('common.refresh')}
          </Button>
        </Space>
        {!offeringId ? (
          <Empty description={t('parksWork.chooseOffering')} />
        ) : roster.isError ? (
          <LoadError error={roster.error} onRetry={() => void roster.refetch()} />
        ) : (
          <>
            {roster.data ? (
              <Typography.Paragraph data-testid="roster-offering-title">
                <Typography.Text strong>{title(roster.data.offering)}</Typography.Text>
                {' · '}
                {cstTime(roster.data.offering.startsAt)} · {roster.data.offering.place} ·{' '}
                {t('parksWork.enrolledCount', { count: roster.data.items.length, capacity: roster.data.offering.capacity })}
              </Typography.Paragraph>
            ) : null}
            <Alert type="info" showIcon className="block-gap" title={t('parksWork.rosterHint')} />
            {mark.error ? <Alert type="error" showIcon className="block-gap" title={errorMessage(mark.error, locale)} /> : null}
            <Table<RosterLine>
              rowKey="userId"
              size="middle"
              data-testid="roster-table"
              loading={roster.isPending}
              dataSource={roster.data?.items ?? []}
              locale={{ emptyText: t('parksWork.noRoster') }}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={[
                {
                  key: 'tick',
                  width: 48,
                  render: (_: unknown, r) => (
                    <Checkbox
                      checked={r.attended || ticked.has(r.userId)}
                      disabled={r.attended}
                      onChange={(e) => toggle(r.userId, e.target.checked)}
                      data-testid={`roster-tick-${r.username ?? r.userId}`}
                      aria-label={r.name}
                    />
                  ),
                },
                {
                  title: t('parksWork.participant'),
                  dataIndex: 'name',
                  render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
                },
                { title: t('parksWork.username'), dataIndex: 'username' },
                { title: t('parksWork.organisation'), dataIndex: 'orgName' },
                {
                  title: t('parksWork.enrolledAt'),
                  dataIndex: 'enrolledAt',
                  render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
                },
                {
                  title: t('parksWork.attendance'),
                  dataIndex: 'attended',
                  render: (v: boolean) =>
                    v ? <Tag color="success">{t('parksWork.attended')}</Tag> : <Tag>{t('parksWork.notAttended')}</Tag>,
                },
                {
                  title: t('parksWork.certificate'),
                  key: 'certificate',
                  render: (_: unknown, r) =>
                    r.certificateNo && offeringId ? (
                      <Space>
                        <Typography.Text code data-testid={`roster-cert-${r.username ?? r.userId}`}>
                          {r.certificateNo}
                        </Typography.Text>
                        <a href={certificateHref(offeringId, r.userId)} target="_blank" rel="noreferrer">
                          {t('parksWork.print')}
                        </a>
                      </Space>
                    ) : (
                      '—'
                    ),
                },
              ]}
            />
            <Space className="block-gap" style={{ marginTop: 16 }}>
              <Button
                type="primary"
                disabled={ticked.size === 0}
                loading={mark.isPending}
                onClick={() => mark.mutate([...ticked])}
                data-testid="roster-mark"
              >
                {t('parksWork.markAttendance', { count: ticked.size })}
              </Button>
            </Space>
          </>
        )}
      </Card>
    </Page>
  );
}
