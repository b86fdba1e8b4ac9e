-- A version of the 无票免税 rule for one jurisdiction: a customs district (4000) or office (4006)
-- may have versions of its own (a province's or zone's pilot list), '' is the national rule. A
-- declaration is judged by the most specific jurisdiction covering its customs office that has a
-- version in force on the exit day (the office's, else its district's, else the national one),
-- and within it by the latest version in force then (tax.refunds.ts ruleVersionFor).
alter table tax_rule_version add column jurisdiction text not null default ''
  check (jurisdiction = '' or jurisdiction ~ '^[0-9]{4}$');
alter table tax_rule_version drop constraint tax_rule_version_pkey;
alter table tax_rule_version add primary key (jurisdiction, effective_from);
