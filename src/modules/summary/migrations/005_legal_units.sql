-- The first legal unit (法定第一计量单位) of every source line: under 194号 the declared unit is not
-- in the line key, so a declaration line sums the quantities in the legal unit (qty1/unit1, one
-- unit per HS code), never declared quantities in different units.
alter table sum_source_line add column qty1 numeric not null default 0, add column unit1 text collate "C" not null default '';

update sum_source_line s set qty1 = x.qty1, unit1 = x.unit1
from (
  select d.id, (l.value->>'gnum')::int as gnum,
    coalesce(nullif(l.value->>'qty1', ''), '0')::numeric as qty1, coalesce(l.value->>'unit1', '') as unit1
  from clr_document d
  cross join lateral jsonb_array_elements(d.lines) as l(value)
  where d.id in (select inventory_id from sum_source_line)
) x
where x.id = s.inventory_id and x.gnum = s.gnum;
analyze sum_source_line;
