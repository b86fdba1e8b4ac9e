/**
 * Every route declares `config.permission`. The access hook in `app.ts` denies a route that
 * declares none (and `routes.permission.test.ts` fails on it), so forgetting is never silent.
 *
 * - `public`: anyone, no log-in (published pages, health, log-in itself).
 * - `authenticated`: any logged-in principal; the service still scopes what it returns.
 * - any other value is a named permission from `src/modules/identity/access.rules.ts`.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: string;
  }
}
export {};
