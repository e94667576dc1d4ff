// The ceiling every signing benchmark is measured against: raw RSA-2048 PKCS#1 v1.5 SHA-256
// signatures per second with Node's crypto, on the calling thread (one core).

import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

let benchKey: KeyObject | undefined;

/** Signs a 32-byte message in a loop for `durationMs` (after a short warm-up) and returns signatures/s. */
export function rawRsaSignaturesPerSecond(durationMs: number): number {
  benchKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const message = Buffer.alloc(32, 7);
  for (let i = 0; i < 20; i++) sign('sha256', message, benchKey);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    sign('sha256', message, benchKey);
    count++;
    elapsed = performance.now() - start;
  }
  return count / (elapsed / 1000);
}
