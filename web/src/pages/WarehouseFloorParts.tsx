/**
 * What the supervision-centre floor's tabs share: big type, messages in both languages (Chinese
 * first), the scan field, typed fields and the main action button, the outcome of the last scan,
 * and the registered locations.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Input, Select, type ButtonProps, type InputRef } from 'antd';
import { useState, type ReactNode, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';

export const BIG = { fontSize: 28, height: 64 };

/** A message as the server gave it: Chinese first, English second (one line each on the floor). */
export interface Bi {
  zh: string;
  en: string;
}

export function bilingual(e: unknown): Bi {
  if (e instanceof ApiError) return { zh: e.detailZh, en: e.detailEn };
  const text = e instanceof Error ? e.message : String(e);
  return { zh: text, en: '' };
}

export function BiLines({ text, testId }: { text: Bi; testId?: string }) {
  return (
    <span data-testid={testId}>
      <span style={{ display: 'block' }}>{text.zh}</span>
      {text.en && text.en !== text.zh ? <span style={{ display: 'block', fontSize: '0.8em' }}>{text.en}</span> : null}
    </span>
  );
}

/** A floor text in both languages, Chinese first, whatever the user's language. */
export function useBoth() {
  const { i18n } = useTranslation();
  const zh = i18n.getFixedT('zh-CN');
  const en = i18n.getFixedT('en');
  return (key: MessageKey, values?: Record<string, string | number>): Bi => ({ zh: zh(key, values), en: en(key, values) });
}

/** A scan field: a keyboard-wedge scanner types the number and presses Enter; the field clears and keeps focus. */
export function ScanField({
  onScan,
  testId,
  disabled,
  placeholder,
  ref,
}: {
  onScan: (v: string) => void;
  testId: string;
  disabled?: boolean;
  placeholder?: string;
  /** to give the field the focus back after another control was used (a location chosen) */
  ref?: Ref<InputRef>;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  return (
    <Input
      ref={ref}
      autoFocus
      size="large"
      style={BIG}
      value={value}
      disabled={disabled}
      placeholder={placeholder ?? t('floor.scanHint')}
      data-testid={testId}
      onChange={(e) => setValue(e.target.value)}
      onPressEnter={() => {
        const v = value.trim();
        setValue('');
        if (v) onScan(v);
      }}
    />
  );
}

/**
 * A typed field (route, carrier, plate…): the text as typed, named by a label before it or a
 * placeholder in it; `big` in the floor's big type.
 */
export function FloorInput({
  value,
  onChange,
  testId,
  width,
  label,
  placeholder,
  big,
}: {
  value: string;
  onChange: (v: string) => void;
  testId: string;
  width: number;
  label?: string;
  placeholder?: string;
  big?: boolean;
}) {
  return (
    <Input
      size="large"
      style={big ? { ...BIG, width } : { width }}
      addonBefore={label}
      placeholder={placeholder}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      data-testid={testId}
    />
  );
}

/** A tab's main action (open a bag, dispatch, start a count): big and primary. */
export function MainButton({ testId, ...props }: Omit<ButtonProps, 'type' | 'size' | 'style'> & { testId: string }) {
  return <Button type="primary" size="large" style={BIG} data-testid={testId} {...props} />;
}

export function Last({ children, type }: { children: ReactNode; type: 'success' | 'error' | 'warning' }) {
  return <Alert type={type} showIcon className="block-gap" style={{ fontSize: 22 }} title={children} data-testid="scan-result" />;
}

/** The outcome of the last action of a tab, in both languages. */
export type Outcome = { ok: boolean; text: Bi } | null;

export function OutcomeLine({ outcome }: { outcome: Outcome }) {
  return outcome ? (
    <Last type={outcome.ok ? 'success' : 'error'}>
      <BiLines text={outcome.text} />
    </Last>
  ) : null;
}

/** A registered location and the parcels in stock put away there. */
export interface StockLocation {
  code: string;
  zone: string;
  parcels: number;
  /** false: retired, no longer a put-away choice */
  active: boolean;
}

/** The locations in use (the put-away and count choices); `all` adds the retired ones. */
export function useLocations(all = false) {
  return useQuery({
    queryKey: ['warehouse', 'locations', all ? 'all' : 'active'],
    queryFn: () => api<StockLocation[]>('/warehouse/locations', all ? { query: { all: 'true' } } : {}),
  });
}

/** A choice among the locations in use, searchable; `withStock` shows the parcels in stock at each. */
export function LocationSelect({
  value,
  onChange,
  placeholder,
  testId,
  withStock,
  big,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  placeholder: string;
  testId: string;
  withStock?: boolean;
  big?: boolean;
}) {
  const { t } = useTranslation();
  const locations = useLocations();
  return (
    <Select
      size="large"
      style={{ width: 320, ...(big ? { fontSize: 22 } : {}) }}
      allowClear
      showSearch
      placeholder={placeholder}
      value={value}
      onChange={(v?: string) => onChange(v)}
      loading={locations.isLoading}
      data-testid={testId}
      options={(locations.data ?? []).map((l) => ({
        value: l.code,
        label: withStock ? `${l.code}${l.zone ? ` (${l.zone})` : ''} · ${l.parcels} ${t('floor.inStock')}` : l.code,
      }))}
    />
  );
}
