import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { isCaseKind, type CaseStatus, type Severity } from './types.ts';

const STATUSES: readonly string[] = ['reported', 'investigating', 'dismissed', 'decided', 'published', 'appealed', 'overturned'];
const STATUS_COLOR: Record<string, string> = {
  reported: 'default',
  investigating: 'blue',
  dismissed: 'default',
  decided: 'orange',
  published: 'red',
  appealed: 'purple',
  overturned: 'green',
};

/** A case kind in the reader's language (an unknown one as it is). */
export function CaseKindTag({ kind }: { kind: string }) {
  const { t } = useTranslation();
  return <Tag>{isCaseKind(kind) ? t(`credit.kinds.${kind}`) : kind}</Tag>;
}

export function CaseStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status] ?? 'default'} data-status={status}>
      {STATUSES.includes(status) ? t(`credit.statuses.${status as CaseStatus}`) : status}
    </Tag>
  );
}

export function SeverityText({ severity }: { severity: Severity | null }) {
  const { t } = useTranslation();
  return <>{severity ? t(`credit.severities.${severity}`) : '—'}</>;
}
