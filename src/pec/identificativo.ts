// The identificativo a punto di accesso assigns at acceptance, in the Aruba / Sogei style of real
// traffic: `opec<N>.<YYYYMMDDhhmmss>.<pid>.<nn>.<n>.<n>@<domain>` (pec-rules §5), and the
// provider's own Message-IDs of receipts, in the same shape. Pure: time and randomness come in.

import { numberFrom } from './ids.js';
import { compactStamp } from './time.js';
import type { IdSource } from './types.js';

function assertDomain(domain: string): void {
  if (!/^[A-Za-z0-9.-]+$/.test(domain) || domain.startsWith('.') || domain.endsWith('.')) {
    throw new Error(`not a mail domain: ${JSON.stringify(domain)}`);
  }
}

function opecLocalPart(at: number, ids: IdSource): string {
  // server number, process id and three counters, as in `opec275.20180607114436.19427.05.1.2`
  const server = numberFrom(ids, 1, 299);
  const pid = numberFrom(ids, 1000, 32767);
  const worker = String(numberFrom(ids, 1, 20)).padStart(2, '0');
  const thread = numberFrom(ids, 1, 9);
  const sequence = numberFrom(ids, 1, 999);
  return `opec${server}.${compactStamp(at)}.${pid}.${worker}.${thread}.${sequence}`;
}

/** A new identificativo (no angle brackets), e.g. `opec275.20260329031500.19427.05.1.2@pec.alfa.test`. */
export function newIdentificativo(at: number, ids: IdSource, domain: string): string {
  assertDomain(domain);
  return `${opecLocalPart(at, ids)}@${domain}`;
}

/** A new Message-ID for a provider-generated message, with angle brackets. */
export function newProviderMessageId(at: number, ids: IdSource, domain: string): string {
  assertDomain(domain);
  return `<${opecLocalPart(at, ids)}@${domain}>`;
}
