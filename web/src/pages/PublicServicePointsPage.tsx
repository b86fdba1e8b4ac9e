import { useQuery } from '@tanstack/react-query';
import { Alert, Input, Layout, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { pointColumns, SERVICES, type Point, type Service } from '../components/servicePoints.tsx';
import { useLocale } from '../i18n/index.ts';

/**
 * The overseas service-point directory for anyone, without logging in (境外服务体系 is meant to
 * be found by SMEs before they have an account): filters by country, city and service, no map.
 */
export default function PublicServicePointsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [filters, setFilters] = useState<{ country?: string; city?: string; service?: Service }>({});
  const points = useQuery({
    queryKey: ['public-service-points', filters],
    queryFn: () =>
      api<Point[]>('/public/service-points', {
        query: { country: filters.country, city: filters.city, service: filters.service },
      }),
  });
  return (
    <Layout style={{ minHeight: '100vh', background: '#fff' }}>
      <Layout.Header
        style={{ background: '#fff', display: 'flex', alignItems: 'center', gap: 16, borderBottom: '1px solid #eee' }}
      >
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }} data-testid="public-points-title">
          {t('publicPoints.title')}
        </Typography.Title>
        <LanguageSwitch saveForUser={false} />
        <Link to="/public/parks" data-testid="public-points-parks-link">
          {t('publicParks.title')}
        </Link>
        <Link to="/login">{t('publicPoints.login')}</Link>
      </Layout.Header>
      <Layout.Content style={{ padding: 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <Typography.Paragraph type="secondary">{t('publicPoints.intro')}</Typography.Paragraph>
        <Space wrap>
          <Input
            aria-label={t('points.country')}
            placeholder={t('publicPoints.countryHint')}
            style={{ width: 160 }}
            maxLength={2}
            data-testid="public-points-country"
            onChange={(e) => setFilters((f) => ({ ...f, country: e.target.value.trim().toUpperCase() || undefined }))}
          />
          <Input
            aria-label={t('points.city')}
            placeholder={t('points.city')}
            style={{ width: 200 }}
            data-testid="public-points-city"
            onChange={(e) => setFilters((f) => ({ ...f, city: e.target.value.trim() || undefined }))}
          />
          <Select<Service>
            allowClear
            aria-label={t('points.service')}
            placeholder={t('points.service')}
            style={{ width: 220 }}
            data-testid="public-points-service"
            options={SERVICES.map((s) => ({ value: s, label: t(`points.services.${s}`) }))}
            onChange={(v) => setFilters((f) => ({ ...f, service: v }))}
          />
        </Space>
        {points.isError ? (
          <Alert type="error" showIcon style={{ marginTop: 16 }} title={errorMessage(points.error, locale)} />
        ) : null}
        <Table<Point>
          style={{ marginTop: 16 }}
          rowKey="id"
          loading={points.isLoading}
          dataSource={points.data ?? []}
          data-testid="public-points-table"
          locale={{ emptyText: t('publicPoints.empty') }}
          columns={[...pointColumns<Point>(t), { title: t('publicPoints.description'), dataIndex: 'description' }]}
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          {t('publicPoints.askHint')}
        </Typography.Paragraph>
      </Layout.Content>
    </Layout>
  );
}
