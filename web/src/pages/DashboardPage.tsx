import { Card, Col, Empty, Row, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { OrganisationCard } from '../components/OrganisationCard.tsx';
import { UserRoleTags } from '../components/labels.tsx';
import { Page } from '../components/Page.tsx';
import { RiskMeasuresCard } from '../components/RiskMeasuresCard.tsx';
import { hasPermission, useSession } from '../session.tsx';
import { workbenchesOf } from '../workbench.ts';

/** One workbench per role (see `workbench.ts`); the business modules arrive with later releases. */
export default function DashboardPage() {
  const { t } = useTranslation();
  const session = useSession();
  const workbenches = workbenchesOf(session);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const current = workbenches.find((w) => w.key === chosen) ?? workbenches[0];
  if (!current) return null;
  const Icon = current.icon;
  const title = t(current.titleKey);

  return (
    <Page
      title={
        <span className="dashboard-title">
          <Icon /> <span data-testid="dashboard-title">{title}</span>
        </span>
      }
      extra={
        workbenches.length > 1 ? (
          <Segmented
            aria-label={t('workbench.switchLabel')}
            value={current.key}
            onChange={(key) => setChosen(String(key))}
            options={workbenches.map((w) => ({ value: w.key, label: t(w.titleKey) }))}
          />
        ) : null
      }
    >
      <Typography.Paragraph className="dashboard-welcome">
        {t('workbench.welcome', { name: session.user.displayName })}
        <span className="dashboard-roles">
          <UserRoleTags roles={session.user.roles} />
        </span>
      </Typography.Paragraph>
      {/* issue 5: the risk and inspection measures on the customs workbench */}
      {current.key === 'customs' && hasPermission(session, 'risk.read') ? <RiskMeasuresCard /> : null}
      <Row gutter={[24, 24]}>
        <Col xs={24} xl={10}>
          <OrganisationCard org={session.user.organisation} />
        </Col>
        <Col xs={24} xl={14}>
          <Card className="dashboard-coming" data-testid="dashboard-coming">
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={
                <>
                  <Typography.Title level={4}>{t('workbench.comingTitle')}</Typography.Title>
                  <Typography.Paragraph type="secondary" className="dashboard-coming-desc">
                    {t(current.descKey)}
                  </Typography.Paragraph>
                  <Typography.Paragraph>{t('workbench.comingDesc', { workbench: title })}</Typography.Paragraph>
                </>
              }
            />
          </Card>
        </Col>
      </Row>
    </Page>
  );
}
