import { Type, type Static } from 'typebox';
import { AGENCY_DUTIES, DIRECTORY_ROLES, ENTERPRISE_ROLES, USER_ROLES } from './access.rules.ts';

export const OrgKind = Type.Union([Type.Literal('enterprise'), Type.Literal('agency'), Type.Literal('operator')]);

export const Organisation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: OrgKind,
  name: Type.String(),
  nameEn: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()], { description: 'customs code, else USCC, else jurisdiction' }),
  uscc: Type.Union([Type.String(), Type.Null()]),
  customsCode: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  jurisdiction: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Organisation = Static<typeof Organisation>;

/**
 * One entry of the enterprise directory: what the customs filing publishes (code, name, roles) and
 * nothing else — no id, no contacts, no users, no agencies.
 */
export const DirectoryEntry = Type.Object(
  {
    code: Type.String({ description: '10-character customs code' }),
    name: Type.String(),
    nameEn: Type.Optional(Type.String()),
    roles: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type DirectoryEntry = Static<typeof DirectoryEntry>;

export const DirectoryQuery = Type.Object(
  {
    role: Type.Union(DIRECTORY_ROLES.map((r) => Type.Literal(r))),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'part of the name (Chinese or English) or of the code' })),
  },
  { additionalProperties: false },
);
export type DirectoryQuery = Static<typeof DirectoryQuery>;

export const NewOrganisation = Type.Object(
  {
    kind: OrgKind,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    nameEn: Type.Optional(Type.String({ maxLength: 200 })),
    uscc: Type.Optional(Type.String({ minLength: 18, maxLength: 18 })),
    customsCode: Type.Optional(Type.String({ minLength: 10, maxLength: 10 })),
    roles: Type.Array(Type.Union([...ENTERPRISE_ROLES, ...AGENCY_DUTIES].map((r) => Type.Literal(r))), {
      maxItems: 10,
      uniqueItems: true,
    }),
    jurisdiction: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  },
  { additionalProperties: false },
);
export type NewOrganisation = Static<typeof NewOrganisation>;

export const UserRoleSchema = Type.Union(USER_ROLES.map((r) => Type.Literal(r)));

export const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  displayName: Type.String(),
  locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
  roles: Type.Array(Type.String()),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  disabled: Type.Boolean(),
  passwordChangedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type User = Static<typeof User>;

// The password policy (rules/password.rules.ts) speaks for itself with bilingual errors naming
// the rule; the schema only bounds the size.
const NewPassword = Type.String({ minLength: 1, maxLength: 200 });

export const UserPatch = Type.Object(
  {
    roles: Type.Optional(Type.Array(UserRoleSchema, { minItems: 1, maxItems: 5, uniqueItems: true })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PasswordReset = Type.Object({ password: NewPassword }, { additionalProperties: false });

export const PasswordChange = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: NewPassword },
  { additionalProperties: false },
);

export const Session = Type.Object({
  id: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'the session making this request' }),
});

export const SessionList = Type.Object({
  items: Type.Array(Session),
  idleMinutes: Type.Number(),
  ttlHours: Type.Number(),
});

export const NewUser = Type.Object(
  {
    username: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: NewPassword,
    roles: Type.Array(UserRoleSchema, { minItems: 1, maxItems: 5, uniqueItems: true }),
    organisationId: Type.Optional(Type.String({ format: 'uuid' })),
    locale: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
  },
  { additionalProperties: false },
);
export type NewUser = Static<typeof NewUser>;

export const Me = Type.Object({
  user: Type.Object({
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    locale: Type.String(),
    roles: Type.Array(Type.String()),
    organisation: Type.Union([
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        nameEn: Type.Union([Type.String(), Type.Null()]),
        kind: OrgKind,
        code: Type.Union([Type.String(), Type.Null()]),
        roles: Type.Array(Type.String()),
        jurisdiction: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ]),
  }),
  permissions: Type.Array(Type.String()),
});
export type Me = Static<typeof Me>;

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;
