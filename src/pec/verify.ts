// Verifying any PEC message, the testbed's or a real provider's: parse it, check the signature and
// who signed, check that its kind, daticert and ids agree, and explain the result as a list of
// named checks. Never throws: malformed input gives an invalid verdict with reasons.

import { parsePec, type CorrelationIds, type ParsedPec } from './parse.js';
import type { PecVariant } from './parse-kind.js';
import type { Daticert, DaticertErrore, PecKind, ReceiptFlavour } from './types.js';
import { checkConsistency } from './verify-consistency.js';
import { verifySignature, type ProviderIndex, type SignatureReport } from './verify-signature.js';
import type { PecCheck } from './verify-types.js';

export type { PecCheck } from './verify-types.js';
export type { ProviderIndex, ProviderIndexEntry, SignatureReport } from './verify-signature.js';

export interface VerifyPecOptions {
  /** PEM certificates (bundles allowed) of the trusted CAs; none: the chain is reported untrusted */
  trustedCaPem: string[];
  /** providers' index: SHA-1 fingerprint → provider, to check the signer is listed and manages the From domain */
  index?: ProviderIndex;
  /** reference time for certificate validity when the CMS has no signingTime; default: the Date header, else now */
  at?: Date;
}

export interface PecVerdict {
  /** every check that is not a warning passed */
  valid: boolean;
  /** null: not a PEC message */
  kind: PecKind | null;
  /** kind with flavour / errore folded in (the fixtures manifest names) */
  variant: PecVariant | null;
  flavour?: ReceiptFlavour;
  errore?: DaticertErrore;
  subject: string | null;
  from: string | null;
  date: string | null;
  ids: CorrelationIds;
  signature: SignatureReport;
  daticert?: Daticert;
  /** every check, passed or not, in order */
  checks: PecCheck[];
  /** why the message is invalid: the details of the failed checks */
  reasons: string[];
  /** tolerated deviations worth knowing */
  warnings: string[];
  /** what the parser could not read as expected */
  problems: string[];
}

function referenceTime(parsed: ParsedPec, options: VerifyPecOptions): Date | undefined {
  if (options.at) return options.at;
  const date = parsed.date ? Date.parse(parsed.date) : NaN;
  return Number.isNaN(date) ? new Date() : new Date(date);
}

export function verifyPec(raw: Buffer, options: VerifyPecOptions): PecVerdict {
  const parsed = parsePec(raw);
  const checks: PecCheck[] = [];
  let signature: SignatureReport;
  try {
    signature = verifySignature(parsed, { trustedCaPem: options.trustedCaPem ?? [], index: options.index, at: referenceTime(parsed, options) }, checks);
    checkConsistency(parsed, signature, checks);
  } catch (error) {
    // a verifier bug must still answer with a verdict, not a crash
    checks.push({ name: 'verifier.internal', ok: false, detail: `internal error: ${(error as Error).message}` });
    signature ??= {
      present: false, valid: false, signatureValid: false, digestValid: false, algorithm: null, protocol: null, micalg: null,
      signer: null, chainValid: false, validAtSigningTime: false, signingTime: null, canonicalised: false, errors: [],
    };
  }
  if (parsed.truncated) {
    checks.push({ name: 'mime.complete', ok: false, detail: 'a multipart lacks its close delimiter: the message is truncated' });
  }
  if (parsed.problems.length > 0) {
    checks.push({ name: 'mime.parse', ok: false, warning: true, detail: parsed.problems.join('; ') });
  }
  const failed = checks.filter((c) => !c.ok && !c.warning);
  const verdict: PecVerdict = {
    valid: failed.length === 0,
    kind: parsed.kind,
    variant: parsed.variant,
    subject: parsed.subject,
    from: parsed.from?.address ?? null,
    date: parsed.date,
    ids: parsed.ids,
    signature,
    checks,
    reasons: failed.map((c) => `${c.name}: ${c.detail ?? 'failed'}`),
    warnings: checks.filter((c) => c.warning).map((c) => `${c.name}: ${c.detail ?? ''}`),
    problems: parsed.problems,
  };
  if (parsed.flavour) verdict.flavour = parsed.flavour;
  if (parsed.errore) verdict.errore = parsed.errore;
  if (parsed.daticert) verdict.daticert = parsed.daticert;
  return verdict;
}
