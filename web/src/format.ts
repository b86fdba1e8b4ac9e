import type { Locale } from './types.ts';

const formatters = new Map<Locale, Intl.DateTimeFormat>();

/** `2026/11/26 17:25` style date-time in the reader's language; '—' for nothing. */
export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let fmt = formatters.get(locale);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    formatters.set(locale, fmt);
  }
  return fmt.format(date);
}

/** Any extra code-table field as short text. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join('、');
  }
  if (Array.isArray(value)) return value.map(formatItem).join('、');
  return JSON.stringify(value);
}

/** One element of a list field; declaration elements read `品牌*` (* = required). */
function formatItem(item: unknown): string {
  if (typeof item === 'object' && item !== null && 'element' in item) {
    const { element, required } = item as { element: unknown; required?: unknown };
    return `${String(element)}${required === true ? '*' : ''}`;
  }
  return typeof item === 'string' ? item : JSON.stringify(item);
}
