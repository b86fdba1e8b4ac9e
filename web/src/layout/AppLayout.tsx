import { BankOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Avatar, Button, Layout, Menu, Spin, Tooltip, Typography } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { api, ApiError, errorMessage } from '../api.ts';
import { KindTag, useRoleLabels } from '../components/labels.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { useLocale } from '../i18n/index.ts';
import { entryForPath, MENU } from '../menu.ts';
import { forgetSession, markLoggedOut, organisationName, useSession } from '../session.tsx';
import { Brand } from './Brand.tsx';

const { Header, Sider, Content, Footer } = Layout;

export function AppLayout() {
  const { t } = useTranslation();
  const locale = useLocale();
  const session = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const labels = useRoleLabels();
  const [collapsed, setCollapsed] = useState(false);

  const logout = useMutation({
    mutationFn: () => api<undefined>('/auth/logout', { method: 'POST' }),
    onSettled: (_data, err) => {
      if (err && !(err instanceof ApiError && err.status === 401)) {
        void message.error(t('auth.logoutFailed', { message: errorMessage(err, locale) }));
        return;
      }
      markLoggedOut(true);
      forgetSession(queryClient);
    },
  });

  const org = session.user.organisation;
  const items = MENU.filter((entry) => entry.visible(session)).map((entry) => {
    const Icon = entry.icon;
    return {
      key: entry.key,
      icon: <Icon />,
      label: (
        <Link to={entry.path} data-testid={`menu-${entry.key}`}>
          {t(entry.labelKey)}
        </Link>
      ),
    };
  });
  const selected = entryForPath(location.pathname);

  return (
    <Layout className="shell">
      <Sider width={236} breakpoint="lg" collapsible collapsed={collapsed} onCollapse={setCollapsed} className="shell-sider">
        <Brand collapsed={collapsed} />
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected ? [selected.key] : []}
          items={items}
          className="shell-menu"
          data-testid="side-menu"
        />
      </Sider>
      <Layout>
        <Header className="shell-header">
          <div className="shell-header-org" data-testid="header-organisation">
            {org ? (
              <>
                <BankOutlined className="shell-header-org-icon" />
                <Typography.Text strong className="shell-header-org-name">
                  {organisationName(org, locale)}
                </Typography.Text>
                <KindTag kind={org.kind} />
              </>
            ) : null}
          </div>
          <div className="shell-header-right">
            <LanguageSwitch saveForUser />
            <Tooltip title={session.user.roles.map((r) => labels.userRole(r)).join(' · ')}>
              <span className="shell-header-user" data-testid="header-user">
                <Avatar size="small" icon={<UserOutlined />} className="shell-header-avatar" />
                <span>{session.user.displayName}</span>
              </span>
            </Tooltip>
            <Button icon={<LogoutOutlined />} loading={logout.isPending} onClick={() => logout.mutate()} data-testid="logout">
              {t('auth.logout')}
            </Button>
          </div>
        </Header>
        <Content className="shell-content">
          <Suspense fallback={<Spin size="large" className="page-spin" />}>
            <Outlet />
          </Suspense>
        </Content>
        <Footer className="shell-footer">{t('app.footer')}</Footer>
      </Layout>
    </Layout>
  );
}
