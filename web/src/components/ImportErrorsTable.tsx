import { Table } from 'antd';
import { useTranslation } from 'react-i18next';

export interface ImportRowError {
  key: string;
  row: number;
  field: string;
  rule: string;
  message: string;
}

/** Per-row errors of a CSV import: the row, the field, the rule it broke, and why. */
export function ImportErrorsTable({ rows, testId }: { rows: readonly ImportRowError[]; testId: string }) {
  const { t } = useTranslation();
  if (!rows.length) return null;
  return (
    <Table
      size="small"
      pagination={false}
      dataSource={rows as ImportRowError[]}
      data-testid={testId}
      columns={[
        { title: t('fxin.row'), dataIndex: 'row', width: 70 },
        { title: t('fxin.field'), dataIndex: 'field' },
        { title: t('fxin.rule'), dataIndex: 'rule' },
        { title: t('fxin.problem'), dataIndex: 'message' },
      ]}
    />
  );
}
