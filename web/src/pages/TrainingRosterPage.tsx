import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Empty, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, apiUrl, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import { certificateHref, cstTime, useParkCatalogues, type Offering, type RosterLine } from '../parks.ts';

type Roster = { offering: Offering; items: RosterLine[] };

/**
 * 签到与证书: the organiser picks a course or event, ticks who came from its roster and records
 * attendance; a wrong mark can be undone until the certificates are issued. Issuing gives each
 * attendee without one a numbered certificate (once), printable here; after that the mark stands.
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
    queryFn: ({ signal }) => api<Roster>(`/offerings/${offeringId}/roster`, { signal }),
  });
  const showRoster = (items: RosterLine[]) =>
    qc.setQueryData(['roster', offeringId], (old: Roster | undefined) => (old ? { ...old, items } : old));
  const mark = useMutation({
    mutationFn: (userIds: string[]) =>
      api<{ marked: number; enrolments: RosterLine[] }>(`/offerings/${offeringId}/attendance`, {
        method: 'POST',
        body: { userIds },
      }),
    onSuccess: (r) => {
      void message.success(t('parksWork.marked', { count: r.marked }));
      setTicked(new Set());
      showRoster(r.enrolments);
    },
  });
  const undo = useMutation({
    mutationFn: (userId: string) =>
      api<{ unmarked: boolean; enrolments: RosterLine[] }>(`/offerings/${offeringId}/attendance/${userId}`, {
        method: 'DELETE',
      }),
    onSuccess: (r) => {
      void message.success(t('rosterCert.undone'));
      showRoster(r.enrolments);
    },
    // a certificate issued meanwhile: the server's bilingual refusal, and the roster as it is now
    onError: (e) => {
      void message.error(errorMessage(e, locale));
      void roster.refetch();
    },
  });
  const certify = useMutation({
    mutationFn: () =>
      api<{ issued: number; enrolments: RosterLine[] }>(`/offerings/${offeringId}/certificates`, { method: 'POST', body: {} }),
    onSuccess: (r) => {
      void message.success(t('rosterCert.certified', { count: r.issued }));
      showRoster(r.enrolments);
    },
  });
  const uncertified = (roster.data?.items ?? []).filter((r) => r.attended && !r.certificateNo).length;
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
          <Button
            icon={<DownloadOutlined />}
            disabled={!offeringId}
            href={
              offeringId ? apiUrl(`/offerings/${offeringId}/roster.xlsx`, { lang: locale === 'en' ? 'en' : 'zh' }) : undefined
            }
            download
            data-testid="roster-export"
          >
            {t('parksExport.roster')}
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
            {certify.error ? (
              <Alert type="error" showIcon className="block-gap" title={errorMessage(certify.error, locale)} />
            ) : null}
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
                {
                  title: t('common.actions'),
                  key: 'undo',
                  align: 'right',
                  render: (_: unknown, r) =>
                    !r.attended ? null : r.certificateNo ? (
                      <Tooltip title={t('rosterCert.undoLocked')}>
                        <Button size="small" disabled data-testid={`roster-undo-${r.username ?? r.userId}`}>
                          {t('rosterCert.undo')}
                        </Button>
                      </Tooltip>
                    ) : (
                      <Popconfirm title={t('rosterCert.undoConfirm', { name: r.name })} onConfirm={() => undo.mutate(r.userId)}>
                        <Button
                          size="small"
                          danger
                          loading={undo.isPending && undo.variables === r.userId}
                          data-testid={`roster-undo-${r.username ?? r.userId}`}
                        >
                          {t('rosterCert.undo')}
                        </Button>
                      </Popconfirm>
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
              <Popconfirm title={t('rosterCert.certifyConfirm', { count: uncertified })} onConfirm={() => certify.mutate()}>
                <Button disabled={uncertified === 0} loading={certify.isPending} data-testid="roster-certify">
                  {t('rosterCert.certify', { count: uncertified })}
                </Button>
              </Popconfirm>
            </Space>
          </>
        )}
      </Card>
    </Page>
  );
}
