import { Button, Result, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api.ts';
import { useLocale } from '../i18n/index.ts';

/** The frame of every page: a big title, an optional extra (buttons) and the content. */
export function Page({
  title,
  extra,
  children,
  testId,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="page">
      <div className="page-head">
        <Typography.Title level={2} className="page-title" data-testid={testId}>
          {title}
        </Typography.Title>
        {extra ? <div className="page-extra">{extra}</div> : null}
      </div>
      {children}
    </div>
  );
}

/** A failed query, in the reader's language, with a retry button. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <Result
      status="warning"
      title={t('common.loadFailed')}
      subTitle={errorMessage(error, locale)}
      extra={
        onRetry ? (
          <Button type="primary" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : null
      }
    />
  );
}
