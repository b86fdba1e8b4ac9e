/** Public face of the signature module: certificates of organisations and XML-DSig on CEB messages. */
export { createSignatureService, type SignatureService, type CertificateView } from './signature.service.ts';
export { registerSignatureRoutes } from './signature.routes.ts';
export { signXml, verifyXml, keyAlgorithmOf, RSA_SHA1, SM2_SM3, type VerifyResult } from './rules/xmldsig.ts';
export { migrationsDir as signatureMigrations } from './signature.migrations.ts';
