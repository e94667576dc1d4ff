// The test PKI and CMS: what the rest of the testbed imports from src/pki.

export {
  loadOrCreatePki, describePki, pkiPaths, signersRenewAt, tlsHostnames,
  type TestPki, type LoadOrCreateOptions, type PkiSummary, type PkiFileSummary,
} from './test-pki.js';
export {
  createCa, issueSigner, issueTlsCertificate, signerEmail, privateKeyFromPem, privateKeyToPem,
  TEST_SIGNING_POLICY_OID, CA_COMMON_NAME, LIFETIME,
  type CertificateAuthority, type GestoreCertRequest, type TlsCertificate, type Validity,
} from './issue.js';
export {
  describeCertificate, fingerprintSha1, splitPemCertificates, pemToDer, derToPem, isValidAt, canonicalIp,
  type CertificateInfo,
} from './certificate-info.js';
export {
  signDetached, signDetachedAsync, verifyDetached, normaliseP7s,
  type CmsDigest, type SignOptions, type CmsVerdict, type CmsSignerSummary, type VerifyOptions,
} from './cms.js';
export { DEFAULT_GESTORI } from './default-gestori.js';
