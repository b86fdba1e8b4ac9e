-- Certificates an organisation signs its CEB declarations with (RSA or SM2). While one is active,
-- its declarations (appStatus 2) must carry a valid enveloped XML-DSig made with one of them.
create table sig_certificate (
  id uuid primary key,
  organisation_id uuid not null references organisation (id),
  algorithm text not null check (algorithm in ('rsa', 'sm2')),
  certificate_pem text not null,
  -- SHA-256 of the DER: one registration per certificate and organisation
  fingerprint text not null,
  serial_number text not null,
  subject text not null,
  issuer text not null,
  not_before timestamptz not null,
  not_after timestamptz not null,
  created_at timestamptz not null,
  created_by uuid,
  revoked_at timestamptz,
  unique (organisation_id, fingerprint)
);
create index sig_certificate_org on sig_certificate (organisation_id) where revoked_at is null;
