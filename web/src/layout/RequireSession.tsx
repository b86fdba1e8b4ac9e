import { Button, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { errorMessage } from '../api.ts';
import { useLocale } from '../i18n/index.ts';
import { SessionProvider, useSessionQuery, wasLoggedOutOnPurpose } from '../session.tsx';

/** Opens its children only to a logged-in user; everyone else goes to /login. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const location = useLocation();
  const query = useSessionQuery();

  if (query.isPending) return <Spin size="large" fullscreen />;
  if (query.isError) {
    return (
      <Result
        status="error"
        title={t('common.loadFailed')}
        subTitle={errorMessage(query.error, locale)}
        extra={
          <Button type="primary" onClick={() => void query.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  if (!query.data) {
    const here = `${location.pathname}${location.search}`;
    const target = wasLoggedOutOnPurpose() || here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
    return <Navigate to={target} replace />;
  }
  return <SessionProvider session={query.data}>{children}</SessionProvider>;
}
