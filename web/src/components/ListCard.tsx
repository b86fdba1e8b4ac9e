/**
 * The pieces of a page that lists an organisation's records (certificates, webhook subscriptions)
 * and edits them in a form: the list card, the form's refusal, the confirmed danger action.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { Alert, Button, Card, Popconfirm, Table, Typography, type TableColumnsType } from 'antd';
import type { ReactNode } from 'react';
import { errorMessage } from '../api.ts';
import { useLocale } from '../i18n/index.ts';
import { LoadError } from './Page.tsx';

/** The intro, then the records (`{ items }`, keyed by id) as a table, or why they did not load with a retry. */
export function ListCard<T extends { id: string }>({
  intro,
  list,
  columns,
  emptyText,
  testId,
  size,
}: {
  intro: ReactNode;
  list: UseQueryResult<{ items: T[] }>;
  columns: TableColumnsType<T>;
  emptyText: ReactNode;
  testId: string;
  size?: 'small' | 'middle' | 'large';
}) {
  return (
    <Card>
      <Typography.Paragraph type="secondary">{intro}</Typography.Paragraph>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<T>
          rowKey="id"
          size={size}
          loading={list.isPending}
          columns={columns}
          dataSource={list.data?.items ?? []}
          pagination={false}
          locale={{ emptyText }}
          data-testid={testId}
        />
      )}
    </Card>
  );
}

/** Why the server refused the form's mutation, in the reader's language, above the fields; nothing until it has. */
export function FormError({ of, testId }: { of: { isError: boolean; error: unknown }; testId: string }) {
  const locale = useLocale();
  return of.isError ? (
    <Alert type="error" showIcon title={errorMessage(of.error, locale)} className="form-error" data-testid={testId} />
  ) : null;
}

/**
 * A small danger button that asks first. `loading` spins the confirmation's OK button; without it
 * the confirmation spins on its own while `onConfirm`'s promise runs (a `loading` key, even
 * undefined, would override that).
 */
export function ConfirmDanger({
  title,
  description,
  loading,
  onConfirm,
  testId,
  children,
}: {
  title: ReactNode;
  description: ReactNode;
  loading?: boolean;
  onConfirm: () => Promise<unknown>;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Popconfirm
      title={title}
      description={description}
      okButtonProps={loading === undefined ? { danger: true } : { danger: true, loading }}
      onConfirm={onConfirm}
    >
      <Button danger size="small" data-testid={testId}>
        {children}
      </Button>
    </Popconfirm>
  );
}
