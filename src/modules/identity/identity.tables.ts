import type { Generated, Selectable } from 'kysely';

/** The identity module's tables as Kysely sees them; only this module's repositories use them. */
export interface OrganisationTable {
  id: string;
  kind: 'enterprise' | 'agency' | 'operator';
  name: string;
  name_en: string | null;
  uscc: string | null;
  customs_code: string | null;
  roles: string[];
  jurisdiction: string | null;
  dxp_id: string | null;
  created_at: Generated<Date>;
}

export interface UserTable {
  id: string;
  organisation_id: string | null;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string[];
  locale: Generated<'zh-CN' | 'en'>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  disabled: Generated<boolean>;
  password_changed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionRow {
  id: string;
  token_hash: Buffer;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiKeyTable {
  id: string;
  organisation_id: string;
  created_by: string | null;
  name: string;
  prefix: string;
  secret_hash: Buffer;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type OrganisationRow = Selectable<OrganisationTable>;
export type UserRow = Selectable<UserTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;

export interface IdentityTables {
  organisation: OrganisationTable;
  app_user: UserTable;
  user_session: SessionRow;
  api_key: ApiKeyTable;
}
