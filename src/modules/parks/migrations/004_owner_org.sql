-- Every park, course or event and support programme is owned by the agency organisation that
-- created it (issue #9, tenancy): a commerce department reads and manages only what its own
-- organisation owns; the platform operator manages all. The public pages stay public.
alter table pk_park add column owner_org_id uuid references organisation (id);
alter table pk_offering add column owner_org_id uuid references organisation (id);
alter table pk_programme add column owner_org_id uuid references organisation (id);
create index pk_park_owner on pk_park (owner_org_id);
create index pk_offering_owner on pk_offering (owner_org_id);
create index pk_programme_owner on pk_programme (owner_org_id);

-- Back-fill of the rows created before this migration (docs/modules.md, parks):
-- 1. the organisation the audit log records as having created the row (`park.create`,
--    `course.create` / `event.create`, `programme.create`; chained or still pending), when that
--    organisation still exists;
create temporary table pk_created_by on commit drop as
select distinct on (entity, entity_id) entity, entity_id, actor_org_id
  from (
    select entity, entity_id, actor_org_id, action, 0 as queue, seq as ord from audit_log
    union all
    select entity, entity_id, actor_org_id, action, 1 as queue, id as ord from audit_pending
  ) a
 where actor_org_id is not null
   and entity_id is not null
   and ((entity = 'pk_park' and action = 'park.create')
     or (entity = 'pk_offering' and action in ('course.create', 'event.create'))
     or (entity = 'pk_programme' and action = 'programme.create'))
   and exists (select 1 from organisation o where o.id = a.actor_org_id)
 order by entity, entity_id, queue, ord;

update pk_park x set owner_org_id = c.actor_org_id
  from pk_created_by c where c.entity = 'pk_park' and c.entity_id = x.id::text and x.owner_org_id is null;
update pk_offering x set owner_org_id = c.actor_org_id
  from pk_created_by c where c.entity = 'pk_offering' and c.entity_id = x.id::text and x.owner_org_id is null;
update pk_programme x set owner_org_id = c.actor_org_id
  from pk_created_by c where c.entity = 'pk_programme' and c.entity_id = x.id::text and x.owner_org_id is null;

-- 2. otherwise (the demo seed wrote its rows as the system, with no organisation) the commerce
--    department, when exactly one agency holds the commerce duty (the demo's 江西省商务厅);
-- 3. otherwise the row stays without an owner: only the platform operator manages it (the public
--    pages and enterprises' enrolments and applications are unaffected).
update pk_park set owner_org_id = (select id from organisation where kind = 'agency' and 'commerce' = any (roles))
 where owner_org_id is null
   and (select count(*) from organisation where kind = 'agency' and 'commerce' = any (roles)) = 1;
update pk_offering set owner_org_id = (select id from organisation where kind = 'agency' and 'commerce' = any (roles))
 where owner_org_id is null
   and (select count(*) from organisation where kind = 'agency' and 'commerce' = any (roles)) = 1;
update pk_programme set owner_org_id = (select id from organisation where kind = 'agency' and 'commerce' = any (roles))
 where owner_org_id is null
   and (select count(*) from organisation where kind = 'agency' and 'commerce' = any (roles)) = 1;
