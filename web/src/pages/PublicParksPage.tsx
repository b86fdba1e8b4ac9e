import { Alert, Button, Card, Layout, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../api.ts';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { useLocale } from '../i18n/index.ts';
import { cstTime, cstToday, useParkCatalogues, type Offering, type Park, type Programme } from '../parks.ts';

const CATEGORIES = ['park', 'training', 'overseas_service', 'new_model'] as const;
const isCategory = (c: string): c is (typeof CATEGORIES)[number] => (CATEGORIES as readonly string[]).includes(c);

/** Where the log-in page sends the user afterwards: the parks page, where they enrol and apply. */
const LOGIN_TO_PARKS = `/login?next=${encodeURIComponent('/parks')}`;

/**
 * Parks, training and support programmes for anyone, without logging in (产业集聚、人才培养、
 * 对接会 and 扶持资金 are meant to be found before an enterprise has an account): parks and
 * distribution centres, courses and events not yet over with their seats left, and programmes
 * with their application window. Enrolling and applying need a log-in. Closed (archived) parks and
 * courses are left out; a closed programme is shown as closed.
 */
export default function PublicParksPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const en = locale === 'en';
  const { parks, offerings, programmes } = useParkCatalogues();
  const now = Date.now();
  const upcoming = (offerings.data?.items ?? []).filter((o) => o.status !== 'closed' && new Date(o.endsAt).getTime() > now);
  const openParks = (parks.data?.items ?? []).filter((p) => p.status !== 'closed');
  const today = cstToday();
  const errors = [parks, offerings, programmes].filter((q) => q.isError);

  return (
    <Layout style={{ minHeight: '100vh', background: '#fff' }}>
      <Layout.Header
        style={{ background: '#fff', display: 'flex', alignItems: 'center', gap: 16, borderBottom: '1px solid #eee' }}
      >
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }} data-testid="public-parks-title">
          {t('publicParks.title')}
        </Typography.Title>
        <LanguageSwitch saveForUser={false} />
        <Link to="/public/service-points" data-testid="public-parks-points-link">
          {t('publicParks.servicePoints')}
        </Link>
        <Link to="/public/credit" data-testid="public-parks-credit-link">
          {t('publicParks.creditNotices')}
        </Link>
        <Link to={LOGIN_TO_PARKS}>{t('publicParks.login')}</Link>
      </Layout.Header>
      <Layout.Content style={{ padding: 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <Typography.Paragraph type="secondary">{t('publicParks.intro')}</Typography.Paragraph>
        {errors.map((q, i) => (
          <Alert key={i} type="error" showIcon style={{ marginBottom: 16 }} title={errorMessage(q.error, locale)} />
        ))}
        <Card size="small" title={t('publicParks.parks')} style={{ marginBottom: 16 }}>
          <Table<Park>
            size="small"
            rowKey="id"
            loading={parks.isLoading}
            data-testid="public-parks-table"
            dataSource={openParks}
            locale={{ emptyText: t('publicParks.noParks') }}
            columns={[
              { title: t('publicParks.name'), key: 'name', render: (_: unknown, p) => (en && p.name_en ? p.name_en : p.name) },
              { title: t('publicParks.region'), dataIndex: 'region' },
              {
                title: t('publicParks.kind'),
                dataIndex: 'kind',
                render: (k: string) => <Tag>{k === 'park' ? t('publicParks.park') : t('publicParks.centre')}</Tag>,
              },
              { title: t('publicParks.address'), dataIndex: 'address', render: (v: string | null) => v ?? '—' },
              { title: t('publicParks.members'), dataIndex: 'members' },
            ]}
          />
        </Card>
        <Card
          size="small"
          title={t('publicParks.offerings')}
          style={{ marginBottom: 16 }}
          extra={<Link to={LOGIN_TO_PARKS}>{t('publicParks.loginToApply')}</Link>}
        >
          <Table<Offering>
            size="small"
            rowKey="id"
            loading={offerings.isLoading}
            data-testid="public-offerings-table"
            dataSource={upcoming}
            locale={{ emptyText: t('publicParks.noOfferings') }}
            columns={[
              {
                title: t('publicParks.name'),
                key: 'title',
                render: (_: unknown, o) => (en && o.titleEn ? o.titleEn : o.title),
              },
              {
                title: t('publicParks.kind'),
                dataIndex: 'kind',
                render: (k: Offering['kind']) => <Tag color={k === 'course' ? 'blue' : 'purple'}>{t(`publicParks.${k}`)}</Tag>,
              },
              {
                title: t('publicParks.time'),
                key: 'time',
                render: (_: unknown, o) => `${cstTime(o.startsAt)} ~ ${cstTime(o.endsAt)}`,
              },
              { title: t('publicParks.place'), dataIndex: 'place' },
              { title: t('publicParks.capacity'), dataIndex: 'capacity' },
              {
                title: t('publicParks.seatsLeft'),
                dataIndex: 'seatsLeft',
                render: (v: number) => (v > 0 ? v : <Tag color="red">{t('publicParks.full')}</Tag>),
              },
            ]}
          />
        </Card>
        <Card
          size="small"
          title={t('publicParks.programmes')}
          style={{ marginBottom: 16 }}
          extra={<Link to={LOGIN_TO_PARKS}>{t('publicParks.loginToApply')}</Link>}
        >
          <Table<Programme>
            size="small"
            rowKey="id"
            loading={programmes.isLoading}
            data-testid="public-programmes-table"
            dataSource={programmes.data?.items ?? []}
            locale={{ emptyText: t('publicParks.noProgrammes') }}
            columns={[
              { title: t('publicParks.name'), dataIndex: 'name' },
              {
                title: t('publicParks.category'),
                dataIndex: 'category',
                render: (c: string) => <Tag>{isCategory(c) ? t(`publicParks.categories.${c}`) : c}</Tag>,
              },
              { title: t('publicParks.period'), key: 'period', render: (_: unknown, r) => `${r.opensOn} ~ ${r.closesOn}` },
              {
                title: t('publicParks.status'),
                key: 'status',
                render: (_: unknown, r) =>
                  r.status !== 'closed' && today < r.opensOn ? (
                    <Tag>{t('publicParks.upcoming')}</Tag>
                  ) : r.status === 'closed' || today > r.closesOn ? (
                    <Tag color="default">{t('publicParks.closed')}</Tag>
                  ) : (
                    <Tag color="green">{t('publicParks.open')}</Tag>
                  ),
              },
            ]}
          />
        </Card>
        <Space>
          <Typography.Text type="secondary">{t('publicParks.loginHint')}</Typography.Text>
          <Link to={LOGIN_TO_PARKS}>
            <Button type="primary" data-testid="public-parks-login">
              {t('publicParks.loginToApply')}
            </Button>
          </Link>
        </Space>
      </Layout.Content>
    </Layout>
  );
}
