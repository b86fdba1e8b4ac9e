-- Who is who on a roster and in a park, and how the commerce department scores an application.

-- Park members are added by enterprise code; the code is kept so a member list resolves the
-- enterprises' current names in one directory lookup (rows from before this migration have none).
alter table pk_park_member add column org_code text;

-- The roster shows names without reading identity's tables: the enrolling user's log-in name and
-- organisation are taken from the session, the name printed on the certificate is the participant's.
alter table pk_enrolment
  add column participant_name text,
  add column participant_username text,
  add column org_name text,
  add column certificate_issued_at timestamptz;

-- Scoring criteria as data, like the eligibility rules: [{"key", "name", "nameEn", "max"}, …];
-- null means the standard rubric (rules/scoring.rules.ts).
alter table pk_programme add column criteria jsonb;

-- The reviewer's score per criterion ({"policy": 25, …}); `score` stays their sum.
alter table pk_application add column scores jsonb;
