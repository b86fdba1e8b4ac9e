import { Card, Layout, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { NoticesTables } from './credit/NoticesTables.tsx';

/**
 * 信用公示 for anyone, without logging in: the credit cases published after a decision (marked
 * while under appeal) and the blacklist, exactly as GET /api/v1/public/credit/notices gives them.
 */
export default function PublicCreditPage() {
  const { t } = useTranslation();
  return (
    <Layout style={{ minHeight: '100vh', background: '#fff' }}>
      <Layout.Header
        style={{ background: '#fff', display: 'flex', alignItems: 'center', gap: 16, borderBottom: '1px solid #eee' }}
      >
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }} data-testid="public-credit-title">
          {t('publicCredit.title')}
        </Typography.Title>
        <LanguageSwitch saveForUser={false} />
        <Link to="/public/parks" data-testid="public-credit-parks-link">
          {t('publicCredit.parks')}
        </Link>
        <Link to="/login">{t('publicCredit.login')}</Link>
      </Layout.Header>
      <Layout.Content style={{ padding: 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <Typography.Paragraph type="secondary">{t('publicCredit.intro')}</Typography.Paragraph>
        <Card size="small">
          <NoticesTables />
        </Card>
      </Layout.Content>
    </Layout>
  );
}
