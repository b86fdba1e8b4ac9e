import { useQuery, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, ApiError } from './api.ts';
import { applyLocale, normaliseLocale } from './i18n/index.ts';
import type { Locale, Session, SessionOrganisation } from './types.ts';

export const SESSION_KEY = ['auth', 'me'] as const;

/** `GET /api/v1/auth/me`; `null` when nobody is logged in (401). Applies the user's language. */
export async function fetchSession(): Promise<Session | null> {
  let session: Session;
  try {
    session = await api<Session>('/auth/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
  await applyLocale(normaliseLocale(session.user.locale));
  return session;
}

export function useSessionQuery() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: fetchSession,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/**
 * Set when the user logs out on purpose, so the redirect to /login does not carry a `next`
 * page for whoever logs in after them.
 */
let loggedOutOnPurpose = false;
export function markLoggedOut(value: boolean): void {
  loggedOutOnPurpose = value;
}
export function wasLoggedOutOnPurpose(): boolean {
  return loggedOutOnPurpose;
}

/** Forgets every cached answer and the session (after log-out or an expired session). */
export function forgetSession(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
  queryClient.setQueryData(SESSION_KEY, null);
}

/** Records the saved locale in the cached session so a refetch does not undo the switch. */
export function rememberLocale(queryClient: QueryClient, locale: Locale): void {
  queryClient.setQueryData<Session | null>(SESSION_KEY, (old) => (old ? { ...old, user: { ...old.user, locale } } : old));
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The logged-in session; only inside the authenticated part of the app. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside the authenticated layout');
  return session;
}

/** The session if someone is logged in (e.g. for the language switch on the log-in page). */
export function useOptionalSession(): Session | null {
  return useContext(SessionContext);
}

export function hasPermission(session: Session, permission: string): boolean {
  return session.permissions.includes(permission);
}

/** The organisation's name in the reader's language (English name when there is one). */
export function organisationName(org: Pick<SessionOrganisation, 'name' | 'nameEn'>, locale: Locale): string {
  return locale === 'en' && org.nameEn ? org.nameEn : org.name;
}
