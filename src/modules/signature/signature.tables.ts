import type { Selectable } from 'kysely';

export interface CertificateTable {
  id: string;
  organisation_id: string;
  algorithm: 'rsa' | 'sm2';
  certificate_pem: string;
  fingerprint: string;
  serial_number: string;
  subject: string;
  issuer: string;
  not_before: Date;
  not_after: Date;
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
}
export type CertificateRow = Selectable<CertificateTable>;

/** The signature module's tables as Kysely sees them; only this module's repository uses them. */
export interface SignatureTables {
  sig_certificate: CertificateTable;
}
