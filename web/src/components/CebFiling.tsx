import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Empty, Form, Input, Space, Spin, Typography } from 'antd';
import type { FormInstance, FormRule } from 'antd';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, ApiError, errorMessage, type FieldProblem } from '../api.ts';
import type { DocumentDetail, PageOf } from '../clearance.ts';
import { useLocale } from '../i18n/index.ts';
import type { Locale } from '../types.ts';
import { ReceiptTable } from './Documents.tsx';
import { CebStatusTag } from './StatusTag.tsx';

/**
 * Shared pieces of the forms that file a CEB message through its JSON resource
 * (`POST /api/v1/<resource>`, e.g. arrivals, consolidations, departures, inventory-cancellations):
 * the scan box for logistics numbers, China-time stamps, the mapping of the server's problems
 * (problem+json `errors[].field` such as `Arrival[1]/ArrivalList[2]/logisticsNo`, or a rejected
 * entity's `returnInfo` naming `field=value`) onto form fields and scan lines, and the result
 * with the customs receipts as they arrive.
 */

/** `POST /api/v1/<resource>` answer: one outcome per entity. */
export interface IntakeOutcome {
  messageGuid: string;
  messageType: string;
  accepted: number;
  rejected: number;
  replayed: boolean;
  entities: {
    index: number;
    guid: string;
    businessKey: string;
    accepted: boolean;
    documentId: string | null;
    returnStatus: string;
    returnInfo: string;
    preNo?: string;
    invtNo?: string;
  }[];
}

/** The most parcels a departure or total-sub bill lists (CEB 2018 schema: ≤ 100 list entries). */
export const MAX_PARCELS = 100;

/** `yyyyMMddHHmmss` in China time (UTC+8), as CEB messages date things. */
export function chinaTime(date: Date = new Date()): string {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}

/** A fresh internal number (copNo, ≤ 30 characters): prefix, China time, two random digits. */
export function newCopNo(prefix: string): string {
  return `${prefix}${chinaTime().slice(2)}${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;
}

/** The logistics numbers of the scan box: one per line (commas, semicolons and blanks also split), trimmed. */
export function parseScans(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,，;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Client checks of the scan box: at least one, no repeats, at most `max`. */
export function scanRules(t: TFunction, max = MAX_PARCELS): FormRule[] {
  return [
    {
      validator: (_rule, value: string | undefined) => {
        const scans = parseScans(value);
        if (scans.length === 0) return Promise.reject(new Error(t('sitefile.noParcels')));
        if (scans.length > max) return Promise.reject(new Error(t('sitefile.tooMany', { max })));
        const seen = new Map<string, number>();
        const problems: string[] = [];
        scans.forEach((s, i) => {
          const first = seen.get(s);
          if (first !== undefined) problems.push(t('sitefile.duplicate', { row: i + 1, value: s, first: first + 1 }));
          else seen.set(s, i);
        });
        return problems.length ? Promise.reject(new Error(problems.join('\n'))) : Promise.resolve();
      },
    },
  ];
}

/** The scan box: a textarea taking one logistics number per line, with the count below it. */
export function ScanBox({ name = 'parcels', testId, rows = 6 }: { name?: string; testId: string; rows?: number }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const value = Form.useWatch<string | undefined>(name, form);
  const count = parseScans(value).length;
  return (
    <Form.Item
      name={name}
      label={t('sitefile.parcels')}
      rules={scanRules(t)}
      required
      extra={
        <Space size="large">
          <span>{t('sitefile.parcelsHint')}</span>
          <Typography.Text strong data-testid={`${testId}-count`}>
            {t('sitefile.parcelCount', { count })}
          </Typography.Text>
        </Space>
      }
      className="pre-line"
    >
      <Input.TextArea rows={rows} className="mono" spellCheck={false} autoComplete="off" data-testid={testId} />
    </Form.Item>
  );
}

function problemText(p: FieldProblem, locale: Locale): string {
  return locale === 'en' ? p.message.en : p.message.zh;
}

/**
 * Puts the server's problems where they belong: a head field the form has gets its own error,
 * a problem of list entry n goes to scan line n (with the number scanned there), anything else
 * is answered as general text for an alert.
 */
export function applyProblems(
  form: FormInstance,
  problems: readonly FieldProblem[],
  opts: { fields: readonly string[]; scans?: readonly string[]; scanField?: string; locale: Locale; t: TFunction },
): string[] {
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  const add = (field: string, text: string) => byField.set(field, [...(byField.get(field) ?? []), text]);
  for (const p of problems) {
    const parts = p.field.split('/');
    const name = (parts.at(-1) ?? '').replace(/\[\d+\]$/, '');
    const rowPart = parts.map((s) => /List\[(\d+)\]$/.exec(s)).find((m) => m !== null);
    const text = problemText(p, opts.locale);
    if (opts.scanField && rowPart) {
      const row = Number(rowPart[1]);
      const value = opts.scans?.[row - 1] ?? (typeof p.value === 'string' ? p.value : '');
      add(
        opts.scanField,
        opts.t('sitefile.rowError', { row, value, message: name === 'logisticsNo' ? text : `${name} ${text}` }),
      );
    } else if (opts.scanField && name.endsWith('List')) {
      add(opts.scanField, text);
    } else if (opts.fields.includes(name)) {
      add(name, text);
    } else {
      rest.push(`${p.field}: ${text}`);
    }
  }
  form.setFields([...byField.entries()].map(([name, errors]) => ({ name, errors })));
  return rest;
}

/** A rejected entity's receipt text names the field (`logisticsCode=3601989999`): mark it, if the form has it. */
export function markRejection(form: FormInstance, returnInfo: string, fields: readonly string[]): void {
  const named = [...returnInfo.matchAll(/\b([A-Za-z]+)=/g)].map((m) => m[1]!).filter((f) => fields.includes(f));
  form.setFields([...new Set(named)].map((name) => ({ name, errors: [returnInfo] })));
}

/** What a submission came to: the outcome, or the problems that stopped it. */
export type FilingState = { kind: 'idle' } | { kind: 'done'; outcome: IntakeOutcome } | { kind: 'error'; messages: string[] };

/**
 * Sends one entity to `POST /api/v1/<resource>` and sorts the answer: problems onto fields and
 * scan lines, a rejected entity's receipt onto the field it names; refreshes the document lists.
 */
export function useCebFiling(form: FormInstance, resource: string, opts: { fields: readonly string[]; scanField?: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const [state, setState] = useState<FilingState>({ kind: 'idle' });
  const [pending, setPending] = useState(false);
  const submit = async (item: Record<string, unknown>, scans?: readonly string[]): Promise<IntakeOutcome | null> => {
    setPending(true);
    setState({ kind: 'idle' });
    try {
      const outcome = await api<IntakeOutcome>(`/${resource}`, { method: 'POST', body: { items: [item] } });
      for (const e of outcome.entities) if (!e.accepted) markRejection(form, e.returnInfo, opts.fields);
      setState({ kind: 'done', outcome });
      await queryClient.invalidateQueries({ queryKey: ['clearance', 'documents'] });
      return outcome;
    } catch (err) {
      if (err instanceof ApiError && err.errors.length > 0) {
        const rest = applyProblems(form, err.errors, {
          fields: opts.fields,
          ...(scans ? { scans } : {}),
          ...(opts.scanField ? { scanField: opts.scanField } : {}),
          locale,
          t,
        });
        setState({ kind: 'error', messages: [t('sitefile.invalid'), ...rest] });
      } else {
        setState({ kind: 'error', messages: [errorMessage(err, locale)] });
      }
      return null;
    } finally {
      setPending(false);
    }
  };
  return { submit, state, pending, reset: () => setState({ kind: 'idle' }) };
}

/** The submission's result: each entity's intake answer, then the document's receipts as they come. */
export function FilingResult({ state, testId, openable = true }: { state: FilingState; testId: string; openable?: boolean }) {
  const { t } = useTranslation();
  if (state.kind === 'idle') return null;
  if (state.kind === 'error') {
    return (
      <Alert
        type="error"
        showIcon
        className="block-gap"
        data-testid={`${testId}-error`}
        title={state.messages[0]}
        description={state.messages.length > 1 ? <div className="pre-line">{state.messages.slice(1).join('\n')}</div> : null}
      />
    );
  }
  return (
    <Space orientation="vertical" className="full-width block-gap" data-testid={`${testId}-result`}>
      {state.outcome.entities.map((e) =>
        e.accepted ? (
          <div key={e.guid}>
            <Alert
              type="success"
              showIcon
              data-testid={`${testId}-accepted`}
              title={t('sitefile.accepted', { preNo: e.preNo ?? '—' })}
              description={e.returnInfo}
            />
            {e.documentId ? <DocumentReceipts id={e.documentId} testId={testId} openable={openable} /> : null}
          </div>
        ) : (
          <Alert
            key={e.guid}
            type="error"
            showIcon
            data-testid={`${testId}-rejected`}
            data-status={e.returnStatus}
            title={t('sitefile.rejected', { status: e.returnStatus, info: e.returnInfo })}
          />
        ),
      )}
    </Space>
  );
}

/** The filed document's status and receipts, polled while the pipeline works on it; the lists follow its status. */
export function DocumentReceipts({ id, testId, openable = true }: { id: string; testId: string; openable?: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [, setParams] = useSearchParams();
  const detail = useQuery({
    queryKey: ['clearance', 'document', id],
    queryFn: ({ signal }) => api<DocumentDetail>(`/clearance/documents/${encodeURIComponent(id)}`, { signal }),
    // a few minutes of polling: enough for the pipeline's decision, not forever
    refetchInterval: (q) => (q.state.dataUpdateCount < 90 ? 2_000 : false),
  });
  const d = detail.data;
  const status = d?.status;
  useEffect(() => {
    if (status) void queryClient.invalidateQueries({ queryKey: ['clearance', 'documents'] });
  }, [status, queryClient]);
  const open = () =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('doc', id);
      return next;
    });
  return (
    <div className="block-gap">
      <Space wrap>
        <Typography.Text strong>{t('sitefile.receipts')}</Typography.Text>
        {d ? <CebStatusTag code={d.status} testId={`${testId}-status`} /> : <Spin size="small" />}
        {openable ? (
          <Button size="small" type="link" onClick={open} data-testid={`${testId}-open`}>
            {t('sitefile.openDocument')}
          </Button>
        ) : null}
      </Space>
      {d && d.receipts.length > 0 ? (
        <ReceiptTable receipts={d.receipts} testId={`${testId}-receipts`} />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sitefile.waitingReceipts')} />
      )}
    </div>
  );
}

/** Documents of one kind the caller may see (first page, newest first), for the pickers. */
export function usePickable(kind: string, status: string | undefined, enabled = true) {
  return useQuery({
    queryKey: ['clearance', 'documents', 'pick', kind, status ?? ''],
    enabled,
    queryFn: ({ signal }) => api<PageOf<DocumentDetail>>('/clearance/documents', { query: { kind, status, limit: 100 }, signal }),
    refetchInterval: 15_000,
  });
}

/** Transport modes (code table `transport-mode`) as select options: `5 航空运输`. */
export function useTransportModes() {
  const locale = useLocale();
  const modes = useQuery({
    queryKey: ['codes', 'transport-mode'],
    queryFn: ({ signal }) =>
      api<{ items: { code: string; nameZh: string; nameEn?: string }[] }>('/codes/transport-mode', {
        query: { limit: 100 },
        signal,
      }),
    staleTime: Infinity,
  });
  return (modes.data?.items ?? []).map((m) => ({
    value: m.code,
    label: `${m.code} ${locale === 'en' ? (m.nameEn ?? m.nameZh) : m.nameZh}`,
  }));
}

/** Values a floor clerk types again and again (carrier, vehicle, flight), remembered per form in this browser. */
export function remembered<T extends object>(key: string): Partial<T> {
  try {
    const raw = window.localStorage.getItem(`cbec.sitefile.${key}`);
    return raw ? (JSON.parse(raw) as Partial<T>) : {};
  } catch {
    return {};
  }
}

export function remember(key: string, values: Record<string, unknown>): void {
  try {
    window.localStorage.setItem(`cbec.sitefile.${key}`, JSON.stringify(values));
  } catch {
    // storage off: nothing is remembered
  }
}
