-- A scan is counted at most once per client, code and day (UTC): reloading the page cannot push a
-- genuine code over the scan limit. The client is kept as a hash only: SHA-256 of the day's random
-- salt, the code and the client's address. Salts older than yesterday are deleted, after which no
-- hash can be linked to an address or to the same client's scans on other days or codes.
alter table tr_scan add column day date;
alter table tr_scan add column client_hash bytea;
create unique index tr_scan_once on tr_scan (code, day, client_hash);

create table tr_scan_salt (
  day date primary key,
  salt bytea not null
);
