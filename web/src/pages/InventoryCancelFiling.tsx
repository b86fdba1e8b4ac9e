import { Button, Form, Input, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FilingResult, useCebFiling } from '../components/CebFiling.tsx';
import { documentKey, type ClearanceDocument } from '../clearance.ts';
import { hasPermission } from '../session.tsx';
import type { Session } from '../types.ts';

/**
 * 撤销申请 (CEB605) of an inventory that has not left the country, by the seller or its declaring
 * agent, through `POST /api/v1/inventory-cancellations`. The pipeline answers 399 (cancelled) or
 * 100 (e.g. already departed) on the CEB606 receipt, shown in the dialog as it arrives.
 */

/** Inventory statuses a cancellation may still withdraw: anything live short of closure (899). */
const CANCELLABLE = new Set(['2', '120', '300', '399', '500', '800']);

export function mayCancel(session: Session): boolean {
  const org = session.user.organisation;
  if (!org || org.kind !== 'enterprise' || !org.code) return false;
  return hasPermission(session, 'ceb.submit') && (org.roles.includes('ebc') || org.roles.includes('agent'));
}

export function cancellable(d: ClearanceDocument): boolean {
  return d.kind === 'inventory' && d.live && d.invtNo !== null && CANCELLABLE.has(d.status);
}

interface CancelValues {
  customsCode: string;
  reason: string;
  note?: string;
}
const CANCEL_FIELDS = ['customsCode', 'reason', 'note'] as const;

/** The row action: opens the cancellation dialog for one inventory (none once it cannot be cancelled). */
export function CancelInventoryButton({
  doc,
  onCancel,
  testId,
}: {
  doc: ClearanceDocument;
  onCancel: () => void;
  testId: string;
}) {
  const { t } = useTranslation();
  if (!cancellable(doc)) return null;
  return (
    <Button size="small" danger onClick={onCancel} data-testid={testId}>
      {t('sitefile.cancel')}
    </Button>
  );
}

/**
 * The cancellation dialog; it lives on the page, not in the row, so it stays open with its
 * receipts while the list refreshes and the row's cancel button goes away.
 */
export function CancelInventoryDialog({
  doc,
  session,
  onClose,
}: {
  doc: ClearanceDocument;
  session: Session;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const org = session.user.organisation!;
  const [form] = Form.useForm<CancelValues>();
  const filing = useCebFiling(form, 'inventory-cancellations', { fields: CANCEL_FIELDS });
  const done = filing.state.kind === 'done' && filing.state.outcome.accepted > 0;
  const invtNo = doc.invtNo ?? '';
  const onFinish = (v: CancelValues) =>
    void filing.submit({
      customsCode: v.customsCode.trim(),
      copNo: `CX${invtNo}`,
      invtNo,
      reason: v.reason.trim(),
      ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      // the sender names itself as the declaring agent (a seller declaring for itself may too)
      agentCode: org.code,
      agentName: org.name,
      ebcCode: doc.head.ebcCode ?? '',
      ebcName: doc.head.ebcName ?? '',
    });
  return (
    <Modal
      open
      width={880}
      title={t('sitefile.cancelTitle', { invtNo })}
      onCancel={onClose}
      footer={
        done ? (
          <Button onClick={onClose} data-testid="cancel-close">
            {t('sitefile.close')}
          </Button>
        ) : (
          [
            <Button key="close" onClick={onClose}>
              {t('common.cancel')}
            </Button>,
            <Button
              key="submit"
              type="primary"
              danger
              loading={filing.pending}
              onClick={() => form.submit()}
              data-testid="cancel-submit"
            >
              {t('sitefile.cancelSubmit')}
            </Button>,
          ]
        )
      }
      data-testid="cancel-dialog"
    >
      <Typography.Paragraph type="secondary">{t('sitefile.cancelHint')}</Typography.Paragraph>
      <Typography.Paragraph>
        {documentKey(doc)} · {doc.head.logisticsNo ?? ''} · {doc.head.ebcName ?? ''}
      </Typography.Paragraph>
      <Form<CancelValues>
        form={form}
        layout="vertical"
        disabled={done}
        initialValues={{ customsCode: doc.customsCode ?? doc.head.customsCode ?? '' }}
        onFinish={onFinish}
      >
        <Form.Item
          name="customsCode"
          label={t('sitefile.customsCode')}
          rules={[{ required: true }, { pattern: /^\d{4}$/, message: t('sitefile.customsCode4') }]}
        >
          <Input maxLength={4} style={{ width: 120 }} data-testid="cancel-customsCode" />
        </Form.Item>
        <Form.Item name="reason" label={t('sitefile.cancelReason')} rules={[{ required: true, whitespace: true }, { max: 1000 }]}>
          <Input.TextArea rows={2} placeholder={t('sitefile.cancelReasonPlaceholder')} data-testid="cancel-reason" />
        </Form.Item>
        <Form.Item name="note" label={t('sitefile.note')} rules={[{ max: 1000 }]}>
          <Input data-testid="cancel-note" />
        </Form.Item>
      </Form>
      <FilingResult state={filing.state} testId="cancel" openable={false} />
    </Modal>
  );
}
