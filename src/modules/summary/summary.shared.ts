import { DomainError, forbidden, validationError } from '../../kernel/errors.ts';
import type { Executor } from '../../kernel/db.ts';
import { isAdmin, jurisdictionPrefix, organisationDirectory, type Principal } from '../identity/index.ts';
import { isPeriod, periodBounds } from './rules/deadline.rules.ts';

/** Summary periods are calendar months in China Standard Time: 结关 in a month is counted there. */
export function periodWindow(period: string): { from: Date; to: Date } {
  if (!isPeriod(period))
    throw validationError([
      {
        field: 'period',
        rule: 'format',
        message: { zh: '汇总期间格式应为YYYY-MM', en: 'period must be YYYY-MM' },
        value: period,
      },
    ]);
  const b = periodBounds(period);
  return { from: new Date(`${b.from}T00:00:00+08:00`), to: new Date(`${b.to}T00:00:00+08:00`) };
}

/** China Standard Time date of an instant, YYYY-MM-DD. */
export const cstDay = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

export interface EnterpriseScope {
  orgId: string;
  name: string;
  codes: string[];
  primaryCode: string;
}

/** The enterprise the caller acts for, with every code it is known by (customs code and USCC). */
export async function enterpriseScope(exec: Executor, p: Principal): Promise<EnterpriseScope> {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise') throw forbidden();
  const o = await organisationDirectory(exec).byId(org.id);
  const codes = [o?.customs_code, o?.uscc].filter((c): c is string => !!c);
  if (!codes.length) throw forbidden();
  return { orgId: org.id, name: o?.name ?? org.name, codes, primaryCode: codes[0]! };
}

/** Customs offices an officer reads summaries of: '' = all; undefined = not an officer. */
export function customsPrefixOf(p: Principal, duties: readonly string[]): string | undefined {
  if (isAdmin(p)) return '';
  const org = p.organisation;
  if (!org || org.kind !== 'agency' || !org.roles.some((r) => duties.includes(r))) return undefined;
  return jurisdictionPrefix(org.jurisdiction) ?? undefined;
}

/** Everything of the month already summarised: the applications that took it are named. */
export const DUPLICATE = (period: string, sumNos: string[]): DomainError =>
  new DomainError(
    'summary.duplicate',
    {
      zh: `${period}的已结关B类清单均已汇总（汇总申请${sumNos.join('、')}），没有待汇总的清单`,
      en: `every closed B-type inventory of ${period} is already summarised (applications ${sumNos.join(', ')}); none is waiting`,
    },
    { period, sumNos },
  );

/** A submit naming the preview's resultHash when the summary computed now differs (409, nothing stored). */
export const staleResult = (period: string, expected: string, actual: string): DomainError =>
  new DomainError(
    'summary.conflict',
    {
      zh: `${period}的汇总结果与预览不一致（预览后有清单结关、被其他汇总申请占用或汇总规则不同），未提交：请重新预览后再提交`,
      en: `the summary of ${period} differs from the preview (inventories closed or were taken by another application since, or the rule differs); nothing was submitted: preview again, then submit`,
    },
    {
      errors: [
        {
          field: 'resultHash',
          rule: 'matchesPreview',
          message: { zh: '结果哈希与当前汇总结果不一致', en: 'resultHash does not match the summary computed now' },
          value: expected,
        },
      ],
      expected,
      actual,
    },
  );
