import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { cebStatusInfo, draftStatusInfo, filingStatusInfo, orderStatusInfo, type StatusInfo } from '../clearance.ts';

/** A customs status as a coloured tag with both the code and the words: `800 放行`. */
export function CebStatusTag({ code, testId }: { code: string; testId?: string }) {
  const { t } = useTranslation();
  const info = cebStatusInfo(code);
  return (
    <Tag color={info.color} data-testid={testId} data-status={code} className="status-tag">
      <span className="status-code">{code}</span> {t(info.labelKey)}
    </Tag>
  );
}

function WordTag({ info, value, testId }: { info: StatusInfo; value: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={info.color} data-testid={testId} data-status={value}>
      {t(info.labelKey)}
    </Tag>
  );
}

export function FilingStatusTag({ status, testId }: { status: string; testId?: string }) {
  return <WordTag info={filingStatusInfo(status)} value={status} {...(testId ? { testId } : {})} />;
}

export function DraftStatusTag({ status, testId }: { status: string; testId?: string }) {
  return <WordTag info={draftStatusInfo(status)} value={status} {...(testId ? { testId } : {})} />;
}

export function OrderStatusTag({ status }: { status: string }) {
  return <WordTag info={orderStatusInfo(status)} value={status} />;
}
