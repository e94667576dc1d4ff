// Sources of randomness for the message library (identificativi, Message-IDs, MIME boundaries).
// Builders only ever see the IdSource interface: a seeded source makes every byte of the output
// reproducible, the random one is what a running gestore uses.

import { createHash, randomBytes } from 'node:crypto';
import type { IdSource } from './types.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
// largest multiple of 36 below 256: bytes at or above it are rejected to keep tokens uniform
const LIMIT = 252;

function tokenFrom(length: number, nextByte: () => number): string {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`token length must be a natural number, got ${length}`);
  let out = '';
  while (out.length < length) {
    const b = nextByte();
    if (b < LIMIT) out += ALPHABET[b % 36];
  }
  return out;
}

/** Cryptographically random tokens. */
export function randomIds(): IdSource {
  let pool = Buffer.alloc(0);
  let pos = 0;
  return {
    token(length) {
      return tokenFrom(length, () => {
        if (pos >= pool.length) {
          pool = randomBytes(256);
          pos = 0;
        }
        return pool[pos++];
      });
    },
  };
}

/** Deterministic tokens from a seed (SHA-256 in counter mode): same seed, same sequence. */
export function seededIds(seed: string | number): IdSource {
  const key = String(seed);
  let counter = 0;
  let block = Buffer.alloc(0);
  let pos = 0;
  return {
    token(length) {
      return tokenFrom(length, () => {
        if (pos >= block.length) {
          block = createHash('sha256').update(`${key}\u0000${counter++}`).digest();
          pos = 0;
        }
        return block[pos++];
      });
    },
  };
}

/** A uniform-enough integer in [min, max] drawn from an IdSource. */
export function numberFrom(ids: IdSource, min: number, max: number): number {
  const span = max - min + 1;
  // 8 base-36 digits = 2.8e12 values: the modulo bias is negligible for the spans used here
  return min + (parseInt(ids.token(8), 36) % span);
}
