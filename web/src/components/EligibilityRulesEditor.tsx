import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { Button, Col, Form, InputNumber, Row, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FIGURES, OPS, type EligibilityRule, type Figure, type RuleOp } from '../parks.ts';

/** A rule row of the editor: a row just added has no figure, comparison or threshold yet. */
export interface RuleRow {
  metric?: Figure;
  op?: RuleOp;
  value?: number | null;
}

/**
 * The rows as the server stores them: `{metric, op, value}` each, in the order shown. The form
 * requires every field, so a row reaching this is complete.
 */
export const toRules = (rows: readonly RuleRow[] | undefined): EligibilityRule[] =>
  (rows ?? []).map((r) => ({ metric: r.metric!, op: r.op!, value: r.value ?? 0 }));

/** A rule as one line of text: the figure's name, the comparison, the threshold. */
export function useRuleText(): (r: EligibilityRule) => string {
  const { t, i18n } = useTranslation();
  return (r) =>
    t('parksEdit.ruleText', {
      metric: (FIGURES as readonly string[]).includes(r.metric) ? t(`parksWork.figure.${r.metric}`) : r.metric,
      op: r.op === '>=' ? '≥' : r.op === '<=' ? '≤' : r.op,
      value: r.value.toLocaleString(i18n.language),
    });
}

/**
 * The eligibility rules of a programme (资格规则), one row each: which platform figure, how it is
 * compared, and the threshold; all rules must hold. No rows: every enterprise is eligible. Used
 * inside a Form whose field `name` (default `rules`) holds the rows.
 */
export function EligibilityRulesEditor({
  name = 'rules',
  label,
  disabled = false,
  extra,
  compact = false,
}: {
  name?: string;
  /** the heading above the rows */
  label?: ReactNode;
  disabled?: boolean;
  /** a line under the heading (e.g. why the rules cannot change) */
  extra?: ReactNode;
  /** a narrow form: the figure on a line of its own, comparison and threshold under it */
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const required = [{ required: true, message: t('parksEdit.required') }];
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <div data-testid="rules-editor">
          {label ? <Typography.Paragraph style={{ marginBottom: 8 }}>{label}</Typography.Paragraph> : null}
          {extra ? (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {extra}
            </Typography.Paragraph>
          ) : null}
          {fields.length === 0 ? <Typography.Paragraph type="secondary">{t('parksEdit.noRules')}</Typography.Paragraph> : null}
          {fields.map((field, i) => (
            <Row key={field.key} gutter={8} align="top" wrap={compact}>
              <Col {...(compact ? { span: 24 } : { flex: '1 1 160px' })}>
                <Form.Item name={[field.name, 'metric']} label={i === 0 ? t('parksEdit.metric') : undefined} rules={required}>
                  <Select
                    disabled={disabled}
                    popupMatchSelectWidth={false}
                    data-testid={`rule-metric-${i}`}
                    options={FIGURES.map((f) => ({ value: f, label: t(`parksWork.figure.${f}`) }))}
                  />
                </Form.Item>
              </Col>
              <Col flex={compact ? '0 0 112px' : '0 0 128px'}>
                <Form.Item name={[field.name, 'op']} label={i === 0 ? t('parksEdit.op') : undefined} rules={required}>
                  <Select
                    disabled={disabled}
                    popupMatchSelectWidth={false}
                    data-testid={`rule-op-${i}`}
                    options={OPS.map((o) => ({ value: o.op, label: t(`parksEdit.ops.${o.key}`) }))}
                  />
                </Form.Item>
              </Col>
              <Col flex={compact ? '1 1 80px' : '0 0 140px'}>
                <Form.Item name={[field.name, 'value']} label={i === 0 ? t('parksEdit.value') : undefined} rules={required}>
                  <InputNumber disabled={disabled} style={{ width: '100%' }} data-testid={`rule-value-${i}`} />
                </Form.Item>
              </Col>
              <Col flex="0 0 40px">
                <Form.Item label={i === 0 ? ' ' : undefined}>
                  <Button
                    icon={<DeleteOutlined />}
                    disabled={disabled}
                    aria-label={t('parksEdit.removeRule')}
                    onClick={() => remove(field.name)}
                    data-testid={`rule-remove-${i}`}
                  />
                </Form.Item>
              </Col>
            </Row>
          ))}
          <Button
            icon={<PlusOutlined />}
            size="small"
            disabled={disabled || fields.length >= 50}
            onClick={() => add({ op: '>=' })}
            data-testid="rule-add"
            style={{ marginBottom: 16 }}
          >
            {t('parksEdit.addRule')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}
