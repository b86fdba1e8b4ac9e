import { DomainError, forbidden } from '../../kernel/errors.ts';
import type { Actor } from '../../kernel/audit.ts';
import type { Permission } from './access.rules.ts';

/** The authenticated caller: a person (session) or a machine (API key) of one organisation. */
export interface Principal {
  via: 'session' | 'api_key';
  /** The HTTP request this principal acts in; recorded in the audit log. */
  requestId?: string;
  /**
   * The request was authenticated by the session cookie alone (and, when it changes something,
   * passed the CSRF origin check): a person in the web UI, not a program holding a bearer token.
   */
  viaCookie?: boolean;
  /**
   * On the platform's own organisation principal (no user, no key) built for another caller's
   * request — a seller's CEB303 sent when its broker declares drafts: how that caller
   * authenticated, which decides what may be sent unsigned for the organisation (ADR 0018).
   */
  initiatedBy?: Pick<Principal, 'via' | 'viaCookie' | 'userId' | 'apiKeyId'>;
  userId: string | null;
  apiKeyId: string | null;
  username: string;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  organisation: {
    id: string;
    kind: 'enterprise' | 'agency' | 'operator';
    name: string;
    roles: string[];
    jurisdiction: string | null;
    code: string | null;
  } | null;
}

export function actorOf(p: Principal, requestId?: string): Actor {
  return { userId: p.userId, orgId: p.organisation?.id ?? null, requestId: requestId ?? p.requestId ?? null };
}

export function requirePermission(p: Principal | null | undefined, perm: Permission): asserts p is Principal {
  if (!p) throw new DomainError('unauthenticated', { zh: '请先登录', en: 'Log in first' });
  if (!p.permissions.has(perm)) throw forbidden();
}

export function requirePrincipal(p: Principal | null | undefined): asserts p is Principal {
  if (!p) throw new DomainError('unauthenticated', { zh: '请先登录', en: 'Log in first' });
}

export const isAdmin = (p: Principal): boolean => p.organisation?.kind === 'operator' && p.roles.includes('admin');

/**
 * The prefix of jurisdiction codes an agency covers: district 4000 covers offices 40xx,
 * office 4006 only itself, 0000 (GACC) everything. Matches `isWithinJurisdiction` in src/codes.
 */
export function jurisdictionPrefix(jurisdiction: string | null): string | null {
  if (!jurisdiction) return null;
  if (jurisdiction === '0000') return '';
  return jurisdiction.endsWith('00') ? jurisdiction.slice(0, 2) : jurisdiction;
}
