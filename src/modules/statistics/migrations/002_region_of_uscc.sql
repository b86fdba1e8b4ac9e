-- The seller's region (国内地区代码) was taken as the first five characters of ebc_code, which is
-- right for a 10-character customs code only: for a seller declaring under its USCC it gave "91360".
-- stat_region_of mirrors regionOf (rules/fold.rules.ts): customs code → characters 1-5; USCC →
-- the division in characters 3-8 as its "other" entry (360100 → 36019; a municipality's district,
-- 110105 → 11059; a province-level registration, 360000 → 36909); anything else → 00000.
create function stat_region_of(code text) returns text
language sql immutable parallel safe
as $$ select case
  when code ~ '^[0-9]{4}[0-9A-Z]{6}$' then left(code, 5)
  when code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' then
    case
      when (case when substr(code, 3, 2) in ('11', '12', '31', '50') then substr(code, 7, 2) else substr(code, 5, 2) end) = '00'
        then substr(code, 3, 2) || '909'
      else substr(code, 3, 2)
        || (case when substr(code, 3, 2) in ('11', '12', '31', '50') then substr(code, 7, 2) else substr(code, 5, 2) end) || '9'
    end
  else '00000'
end $$;

-- Cube rows folded before: the region is a function of ebc_code alone, so each seller's rows
-- move together and no two rows come to share a key.
update stat_inventory_cube set region = stat_region_of(ebc_code) where region <> stat_region_of(ebc_code);
update stat_goods_cube set region = stat_region_of(ebc_code) where region <> stat_region_of(ebc_code);
