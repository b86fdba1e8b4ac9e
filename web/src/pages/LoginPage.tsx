import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Spin, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, errorMessage } from '../api.ts';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { applyLocale, normaliseLocale, useLocale } from '../i18n/index.ts';
import { Brand } from '../layout/Brand.tsx';
import { fetchSession, markLoggedOut, SESSION_KEY, useSessionQuery } from '../session.tsx';
import type { LoginAnswer } from '../types.ts';

interface Credentials {
  username: string;
  password: string;
}

/** Only same-site paths, never back to /login, never `//host`. */
function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) {
    return '/';
  }
  return next;
}

export function LoginPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const session = useSessionQuery();
  const next = safeNext(params.get('next'));

  useEffect(() => {
    document.title = t('app.documentTitle');
  }, [t]);

  const login = useMutation({
    mutationFn: async (credentials: Credentials) => {
      const answer = await api<LoginAnswer>('/auth/login', {
        method: 'POST',
        body: { username: credentials.username.trim(), password: credentials.password },
      });
      await applyLocale(normaliseLocale(answer.user.locale));
      queryClient.clear();
      const me = await fetchSession();
      queryClient.setQueryData(SESSION_KEY, me);
      return me;
    },
    onSuccess: (me) => {
      if (!me) return;
      markLoggedOut(false);
      void navigate(next, { replace: true });
    },
  });

  if (session.data && !login.isPending) return <Navigate to={next} replace />;

  return (
    <div className="login">
      <div className="login-lang">
        <LanguageSwitch saveForUser={false} />
      </div>
      <div className="login-panel">
        <div className="login-hero">
          <Brand light />
          <Typography.Title level={1} className="login-hero-title">
            {t('app.fullName')}
          </Typography.Title>
          <Typography.Paragraph className="login-hero-tagline">{t('auth.tagline')}</Typography.Paragraph>
        </div>
        <Card className="login-card" variant="borderless">
          <Typography.Title level={2} className="login-card-title">
            {t('auth.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('auth.subtitle')}</Typography.Paragraph>
          {session.isPending ? (
            <Spin />
          ) : (
            <Form<Credentials>
              layout="vertical"
              size="large"
              requiredMark={false}
              onFinish={(values) => login.mutate(values)}
              disabled={login.isPending}
              data-testid="login-form"
            >
              {login.isError ? (
                <Alert
                  type="error"
                  showIcon
                  className="login-error"
                  data-testid="login-error"
                  title={errorMessage(login.error, locale)}
                />
              ) : null}
              <Form.Item
                name="username"
                label={t('auth.username')}
                rules={[{ required: true, whitespace: true, message: t('auth.usernameRequired') }]}
              >
                <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
              </Form.Item>
              <Form.Item
                name="password"
                label={t('auth.password')}
                rules={[{ required: true, message: t('auth.passwordRequired') }]}
              >
                <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
              </Form.Item>
              <Form.Item className="login-submit">
                <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
                  {t('auth.submit')}
                </Button>
              </Form.Item>
            </Form>
          )}
        </Card>
      </div>
    </div>
  );
}
