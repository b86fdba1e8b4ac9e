import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import { lazy, Suspense } from 'react';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError } from './api.ts';
import { useLocale } from './i18n/index.ts';
import { AppLayout } from './layout/AppLayout.tsx';
import { RequireSession } from './layout/RequireSession.tsx';
import { MENU } from './menu.ts';
import { Forbidden, NotFound } from './pages/ErrorPages.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { SESSION_KEY, useSession } from './session.tsx';
import { theme } from './theme.ts';
import type { MenuEntry } from './menu.ts';
import { CSP_NONCE } from './csp-nonce.ts';

const PublicServicePointsPage = lazy(() => import('./pages/PublicServicePointsPage.tsx'));
const PublicParksPage = lazy(() => import('./pages/PublicParksPage.tsx'));
const PublicCreditPage = lazy(() => import('./pages/PublicCreditPage.tsx'));

/** A 401 on any call means the session is gone: forget it, and the guard sends the user to /login. */
function onApiError(err: unknown, key?: readonly unknown[]): void {
  if (err instanceof ApiError && err.status === 401 && key?.[0] !== SESSION_KEY[0]) {
    queryClient.setQueryData(SESSION_KEY, null);
  }
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (err, query) => onApiError(err, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (err) => onApiError(err) }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      retry: (failures, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && failures < 2,
    },
  },
});

/** Opens a menu page to whom the menu shows it; anyone else gets 403. */
function Guarded({ entry }: { entry: MenuEntry }) {
  const session = useSession();
  const PageComponent = entry.page;
  return entry.visible(session) ? <PageComponent /> : <Forbidden />;
}

// Ant Design's CSS-in-JS <style> elements carry the server's nonce (web/src/csp-nonce.ts).
const CSP = { nonce: CSP_NONCE };

function Shell() {
  const locale = useLocale();
  return (
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={theme} csp={CSP}>
      <AntApp>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            {/* public pages: outside the authenticated layout, no session needed */}
            <Route
              path="/public/service-points"
              element={
                <Suspense fallback={<Spin size="large" />}>
                  <PublicServicePointsPage />
                </Suspense>
              }
            />
            <Route
              path="/public/parks"
              element={
                <Suspense fallback={<Spin size="large" />}>
                  <PublicParksPage />
                </Suspense>
              }
            />
            <Route
              path="/public/credit"
              element={
                <Suspense fallback={<Spin size="large" />}>
                  <PublicCreditPage />
                </Suspense>
              }
            />
            <Route
              element={
                <RequireSession>
                  <AppLayout />
                </RequireSession>
              }
            >
              {MENU.map((entry) =>
                entry.path === '/' ? (
                  <Route key={entry.key} index element={<Guarded entry={entry} />} />
                ) : (
                  <Route key={entry.key} path={entry.path} element={<Guarded entry={entry} />} />
                ),
              )}
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Shell />
    </QueryClientProvider>
  );
}
