-- Request rate limits (log-in, counterfeit reports, trace scans) counted in the database, so every
-- API process of one installation shares one count per client (ADR 0026). One row per route and
-- client key: the start of its fixed window and the requests counted in it. UNLOGGED: the counts
-- are not worth a WAL write per request, and a crash that empties the table only forgives the
-- current minute. Rows whose window has passed are pruned now and then by the API processes.
create unlogged table rate_limit_hit (
  route text not null,
  key text not null,
  window_start timestamptz not null,
  window_ms integer not null,
  hits integer not null,
  primary key (route, key)
);
