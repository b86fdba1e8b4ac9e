import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden } from '../../kernel/errors.ts';
import type { Principal } from '../identity/index.ts';

export interface OverseasDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

export const bi = (zh: string, en: string) => ({ zh, en });

/** An overseas provider: an enterprise with the overseas role (warehouses, service points). */
export function providerOf(p: Principal): { id: string; name: string } {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !org.roles.includes('overseas')) throw forbidden();
  return { id: org.id, name: org.name };
}

/** A seller (or platform) exporting goods and asking for services. */
export function sellerOf(p: Principal): { id: string; name: string } {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !org.roles.some((r) => r === 'ebc' || r === 'ebp')) throw forbidden();
  return { id: org.id, name: org.name };
}
