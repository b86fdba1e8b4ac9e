import { tables, type Executor } from '../../kernel/db.ts';
import type { Insertable } from 'kysely';
import type { IdentityTables, OrganisationRow, UserRow, UserTable } from './identity.tables.ts';

type NewUserRow = Omit<Insertable<UserTable>, 'created_at' | 'updated_at' | 'failed_logins' | 'locked_until' | 'disabled'>;

export type UserWithOrg = UserRow & { org: OrganisationRow | null };

export function createUserRepository(exec: Executor) {
  const db = tables<IdentityTables>(exec);
  return {
    async findByUsername(username: string): Promise<UserRow | undefined> {
      return db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
    },
    async findById(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(opts: { organisationId?: string; limit: number }): Promise<UserRow[]> {
      let q = db.selectFrom('app_user').selectAll().orderBy('username').limit(opts.limit);
      if (opts.organisationId) q = q.where('organisation_id', '=', opts.organisationId);
      return q.execute();
    },
    async insert(row: NewUserRow): Promise<UserRow> {
      return db.insertInto('app_user').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async upsert(row: NewUserRow, now: Date): Promise<UserRow> {
      return db
        .insertInto('app_user')
        .values(row)
        .onConflict((oc) =>
          oc.column('username').doUpdateSet({
            organisation_id: row.organisation_id,
            display_name: row.display_name,
            password_hash: row.password_hash,
            roles: row.roles,
            failed_logins: 0,
            locked_until: null,
            disabled: false,
            updated_at: now,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async update(id: string, patch: Partial<Omit<UserRow, 'id' | 'created_at'>>, now: Date): Promise<void> {
      await db
        .updateTable('app_user')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .execute();
    },
    /**
     * Counts a failure atomically and locks when the count reaches `max`; answers the new state.
     * After a lock has expired (locked_until ≤ now) the count starts again at 1: the failures that
     * earned the old lock are not held against the next try.
     */
    async recordFailure(
      id: string,
      max: number,
      lockUntil: Date,
      now: Date,
    ): Promise<{ failed_logins: number; locked_until: Date | null }> {
      return db
        .updateTable('app_user')
        .set((eb) => {
          const expired = eb.and([eb('locked_until', 'is not', null), eb('locked_until', '<=', now)]);
          return {
            failed_logins: eb
              .case()
              .when(expired)
              .then(1)
              .else(eb('failed_logins', '+', 1))
              .end(),
            locked_until: eb
              .case()
              .when(expired)
              .then(1 >= max ? lockUntil : null)
              .when('failed_logins', '>=', max - 1)
              .then(lockUntil)
              .else(eb.ref('locked_until'))
              .end(),
          };
        })
        .where('id', '=', id)
        .returning(['failed_logins', 'locked_until'])
        .executeTakeFirstOrThrow();
    },
  };
}
