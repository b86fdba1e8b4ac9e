-- Parks, courses and events, and support programmes are closed (archived), never deleted: their
-- members, rosters, certificates and applications stay readable. A closed course or event takes
-- no enrolment, a closed programme no application, a closed park no new member enterprise and
-- makes none of its members a park member (the `parkMember` figure). Closing is final: what is
-- closed is read-only, so what the records refer to stays as it was when closed.
alter table pk_park
  add column status text not null default 'open' check (status in ('open', 'closed')),
  add column closed_at timestamptz;
alter table pk_offering
  add column status text not null default 'open' check (status in ('open', 'closed')),
  add column closed_at timestamptz;
alter table pk_programme
  add column status text not null default 'open' check (status in ('open', 'closed')),
  add column closed_at timestamptz;
