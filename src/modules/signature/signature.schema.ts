import { Type } from 'typebox';

export const Certificate = Type.Object({
  id: Type.String(),
  algorithm: Type.Union([Type.Literal('rsa'), Type.Literal('sm2')]),
  serialNumber: Type.String(),
  subject: Type.String(),
  issuer: Type.String(),
  fingerprint: Type.String({ description: 'SHA-256 of the DER, hex' }),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const NewCertificate = Type.Object(
  { certificate: Type.String({ minLength: 100, maxLength: 20_000, description: 'X.509 certificate, PEM (RSA or SM2)' }) },
  { additionalProperties: false },
);
