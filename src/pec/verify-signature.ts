// The signature half of verifying a PEC message (pec-rules §4, §7.1): the CMS over the exact
// signed bytes, with one tolerated retry after CRLF canonicalisation for copies stored with
// LF-only line ends; then who signed: the signer's SAN e-mail against From, and, given the
// providers' index, the signer's fingerprint and the sending domain.

import { verifyDetached, type CmsVerdict } from '../pki/cms.js';
import { domainOf } from './mime-headers.js';
import { toCrlf } from './mime-split.js';
import type { ParsedPec } from './parse.js';
import type { PecCheck } from './verify-types.js';

/** One gestore of the providers' index (pec-rules §8), keyed by its providerCertificateHash. */
export interface ProviderIndexEntry {
  providerName: string;
  managedDomains: string[];
}

/** SHA-1 fingerprint (hex, any case, colons allowed) → provider */
export type ProviderIndex = Map<string, ProviderIndexEntry> | Record<string, ProviderIndexEntry>;

export interface SignatureReport {
  /** a CMS signature was found (multipart/signed or pkcs7-mime) */
  present: boolean;
  /** the signed bytes are intact and signed by the embedded signer certificate (signature and digest) */
  valid: boolean;
  signatureValid: boolean;
  digestValid: boolean;
  /** CMS digest, micalg spelling: `sha-256`, `sha1` */
  algorithm: string | null;
  /** multipart/signed `protocol` and `micalg` as written */
  protocol: string | null;
  micalg: string | null;
  signer: { subject: string; email: string | null; fingerprint: string; notBefore: string; notAfter: string } | null;
  /** chain to one of the trusted CAs */
  chainValid: boolean;
  validAtSigningTime: boolean;
  /** ISO 8601 */
  signingTime: string | null;
  /** the signature verified only after LF → CRLF canonicalisation of the stored copy */
  canonicalised: boolean;
  /** the CMS verifier's own messages */
  errors: string[];
}

export interface SignatureOptions {
  trustedCaPem: string[];
  index?: ProviderIndex;
  /** reference time when the CMS has no signingTime */
  at?: Date;
}

function emptyReport(parsed: ParsedPec): SignatureReport {
  return {
    present: false,
    valid: false,
    signatureValid: false,
    digestValid: false,
    algorithm: null,
    protocol: parsed.signed?.protocol ?? null,
    micalg: parsed.signed?.micalg ?? null,
    signer: null,
    chainValid: false,
    validAtSigningTime: false,
    signingTime: null,
    canonicalised: false,
    errors: [],
  };
}

function normaliseFingerprint(value: string): string {
  return value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

function lookup(index: ProviderIndex, fingerprint: string): ProviderIndexEntry | undefined {
  const wanted = normaliseFingerprint(fingerprint);
  const entries = index instanceof Map ? [...index.entries()] : Object.entries(index);
  return entries.find(([key]) => normaliseFingerprint(key) === wanted)?.[1];
}

export function verifySignature(parsed: ParsedPec, options: SignatureOptions, checks: PecCheck[]): SignatureReport {
  const report = emptyReport(parsed);
  const signed = parsed.signed;
  if (!signed) {
    checks.push({ name: 'signature.present', ok: false, detail: 'the message is not S/MIME signed (no multipart/signed, no pkcs7-mime)' });
    return report;
  }
  if (!signed.signature) {
    checks.push({ name: 'signature.present', ok: false, detail: 'multipart/signed without a readable application/pkcs7-signature part' });
    return report;
  }
  report.present = true;
  checks.push({ name: 'signature.present', ok: true, detail: signed.form === 'pkcs7-mime' ? 'opaque application/pkcs7-mime (.p7m style)' : `multipart/signed; protocol="${signed.protocol ?? '?'}"` });

  const verifyOptions = { trustedCaPem: options.trustedCaPem, at: options.at };
  let cms: CmsVerdict = verifyDetached(signed.content, signed.signature, verifyOptions);
  // S/MIME signs the canonical CRLF form; a copy saved with LF-only line ends (mbox tools, some
  // IMAP exports) fails as stored but is the same message: retry once and say so
  if (!cms.digestValid && signed.form === 'multipart/signed' && parsed.lineEndings !== 'crlf') {
    const retry = verifyDetached(toCrlf(signed.content), signed.signature, verifyOptions);
    if (retry.digestValid) {
      cms = retry;
      report.canonicalised = true;
    }
  }
  report.signatureValid = cms.signatureValid;
  report.digestValid = cms.digestValid;
  report.valid = cms.signatureValid && cms.digestValid;
  report.algorithm = cms.digestAlgorithm ?? null;
  report.chainValid = cms.chainValid;
  report.validAtSigningTime = cms.validAtSigningTime;
  report.signingTime = cms.signingTime?.toISOString() ?? null;
  report.errors = cms.errors;
  if (cms.signer) {
    report.signer = {
      subject: cms.signer.subject,
      email: cms.signer.email ?? null,
      fingerprint: cms.signer.fingerprintSha1,
      notBefore: cms.signer.notBefore.toISOString(),
      notAfter: cms.signer.notAfter.toISOString(),
    };
  }

  if (signed.form === 'multipart/signed') {
    const protocol = signed.protocol ?? '';
    checks.push({
      name: 'signature.protocol',
      ok: protocol === 'application/pkcs7-signature' || protocol === 'application/x-pkcs7-signature',
      detail: protocol === 'application/x-pkcs7-signature' ? 'legacy protocol application/x-pkcs7-signature (accepted)' : `protocol="${protocol}"`,
      ...(protocol === 'application/x-pkcs7-signature' ? { warning: true } : {}),
    });
    if (signed.micalg && report.algorithm && signed.micalg !== report.algorithm) {
      checks.push({ name: 'signature.micalg', ok: true, warning: true, detail: `micalg="${signed.micalg}" but the CMS digest is ${report.algorithm}` });
    }
  }
  if (report.canonicalised) {
    checks.push({
      name: 'signature.canonicalisation',
      ok: true,
      warning: true,
      detail: `stored with ${parsed.lineEndings === 'lf' ? 'LF-only' : 'mixed'} line endings: the signed part verifies after CRLF canonicalisation, not as stored`,
    });
  }
  const cmsErrors = (pattern: RegExp) => cms.errors.filter((e) => pattern.test(e)).join('; ');
  checks.push({
    name: 'signature.digest',
    ok: cms.digestValid,
    detail: cms.digestValid
      ? `content digest (${report.algorithm}) matches`
      : `content digest mismatch: the signed part was modified after signing${cmsErrors(/digest|CMS|signer/i) ? ` (${cmsErrors(/digest|CMS|signer/i)})` : ''}`,
  });
  checks.push({
    name: 'signature.value',
    ok: cms.signatureValid,
    detail: cms.signatureValid ? `signed by ${report.signer?.subject ?? '?'}` : cmsErrors(/signature|signer|CMS|SignerInfo|digest algorithm/i) || 'the signature does not verify',
  });
  const noCa = options.trustedCaPem.length === 0;
  checks.push({
    name: 'signature.chain',
    ok: cms.chainValid,
    detail: cms.chainValid
      ? 'the signer certificate chains to a trusted CA'
      : noCa
        ? 'untrusted: no trusted CA given (pass --ca, or put certs/ca.pem in the working directory)'
        : 'untrusted: the signer certificate does not chain to a trusted CA',
  });
  checks.push({
    name: 'signature.validity',
    ok: cms.validAtSigningTime,
    detail: cms.validAtSigningTime
      ? `certificates valid at ${report.signingTime ?? options.at?.toISOString() ?? 'signing time'}`
      : cmsErrors(/valid|signingTime/) || 'the certificate validity at signing time could not be established',
  });

  checkSigner(parsed, report, options.index, checks);
  return report;
}

function checkSigner(parsed: ParsedPec, report: SignatureReport, index: ProviderIndex | undefined, checks: PecCheck[]): void {
  if (!report.signer) return;
  const from = parsed.from?.address ?? null;
  const email = report.signer.email;
  checks.push({
    name: 'signer.email-vs-from',
    ok: !!from && !!email && from.toLowerCase() === email.toLowerCase(),
    detail: `signer ${email ?? '(no e-mail in the certificate)'}, From ${from ?? '(none)'}`,
  });
  if (!index) return;
  const entry = lookup(index, report.signer.fingerprint);
  checks.push({
    name: 'signer.index',
    ok: !!entry,
    detail: entry ? `listed in the providers' index as ${entry.providerName}` : `fingerprint ${report.signer.fingerprint} is not a providerCertificateHash of the index`,
  });
  if (!entry) return;
  const domain = from ? domainOf(from) : '';
  const managed = entry.managedDomains.map((d) => d.toLowerCase());
  checks.push({
    name: 'signer.domain',
    ok: managed.includes(domain),
    detail: managed.includes(domain) ? `${domain} is managed by ${entry.providerName}` : `From domain ${domain || '(none)'} is not among ${entry.providerName}'s managedDomains (${managed.join(', ')})`,
  });
}
