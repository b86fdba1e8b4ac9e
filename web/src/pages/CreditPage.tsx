import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiUrl } from '../api.ts';
import { Page } from '../components/Page.tsx';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, useSession } from '../session.tsx';
import { CasesCard } from './credit/CasesCard.tsx';
import { NoticesTables } from './credit/NoticesTables.tsx';
import { OfficerRatings } from './credit/OfficerRatings.tsx';
import { RatingCard } from './credit/RatingCard.tsx';

/**
 * 信用管理. An enterprise: its rating (factors, score over time, history) and the cases about it,
 * which it may appeal with its own reason. An officer (customs, commerce: `credit.manage`): the
 * ratings of its jurisdiction's enterprises (view, recompute), cases (open, move on, export) and
 * the blacklist export. Everyone: the public notices.
 */
export default function CreditPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const org = session.user.organisation;
  const officer = hasPermission(session, 'credit.manage') && org?.kind !== 'enterprise';
  const [subject, setSubject] = useState<string | null>(null);

  return (
    <Page title={t('credit.title')} testId="credit-title" extra={<Link to="/public/credit">{t('credit.publicPage')}</Link>}>
      {org?.kind === 'enterprise' ? <RatingCard orgId={org.id} title={t('credit.myRating')} canRecompute={false} /> : null}
      {officer ? (
        <>
          <OfficerRatings onView={setSubject} />
          {subject ? <RatingCard key={subject} orgId={subject} title={t('credit.ratingDetail')} canRecompute /> : null}
        </>
      ) : null}
      <CasesCard officer={officer} orgId={org?.id} onViewSubject={setSubject} />
      <Card
        size="small"
        title={t('credit.notices')}
        extra={
          officer ? (
            <Button
              size="small"
              icon={<DownloadOutlined />}
              href={apiUrl('/credit/blacklist/export.xlsx', { lang: locale === 'en' ? 'en' : 'zh' })}
              download="cbec-credit-blacklist.xlsx"
              data-testid="credit-export-blacklist"
            >
              {t('credit.exportBlacklist')}
            </Button>
          ) : null
        }
      >
        <NoticesTables />
      </Card>
    </Page>
  );
}
