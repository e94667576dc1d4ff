// Assembles one command from its lines and literals (RFC 3501 §4.3, LITERAL+ RFC 7888), enforcing
// size limits before reading: an oversized synchronizing literal is refused without sending
// "+" (the client never sends it); an oversized LITERAL+ one is skipped byte by byte, never held.

import type { InputReader } from './reader.js';
import type { ImapLimits } from './types.js';

export type Frame =
  | { kind: 'command'; text: string; literals: Buffer[] }
  | { kind: 'too-big'; tag: string | null; append: boolean; size: number }
  | { kind: 'line-too-long' }
  | { kind: 'eof' };

/** non-synchronizing literals larger than this many limits are not worth draining: hang up */
const DRAIN_FACTOR = 4;

export class FatalInputError extends Error {}

/**
 * Reads one command. `authenticated` decides whether APPEND's larger limit applies: before
 * login every literal gets the small one, so an anonymous client cannot push 50 MB.
 */
export async function readFrame(
  reader: InputReader,
  limits: ImapLimits,
  authenticated: boolean,
  continueLiteral: () => void,
): Promise<Frame> {
  let text = '';
  const literals: Buffer[] = [];
  let total = 0;
  let tag: string | null = null;
  let isAppend = false;
  let refused: { size: number } | null = null;
  for (let first = true; ; first = false) {
    const line = await reader.readLine(limits.maxLineBytes);
    if (line === null) return { kind: 'eof' };
    if (line === 'too-long') return { kind: 'line-too-long' };
    const s = line.toString('latin1');
    if (first) {
      const head = /^(\S+) (?:UID )?([A-Za-z]+)/i.exec(s);
      tag = head?.[1] ?? null;
      isAppend = authenticated && head?.[2].toUpperCase() === 'APPEND';
    }
    total += s.length;
    if (total > limits.maxLineBytes * 4) return { kind: 'line-too-long' };
    const m = /\{(\d{1,15})(\+)?\}$/.exec(s);
    if (!m) {
      if (refused) return { kind: 'too-big', tag, append: isAppend, size: refused.size };
      return { kind: 'command', text: text + s, literals };
    }
    text += s.slice(0, m.index) + '\0';
    const size = Number(m[1]);
    const nonSync = m[2] === '+';
    const limit = isAppend ? limits.maxAppendBytes : limits.maxLiteralBytes;
    if (refused || size > limit) {
      if (!nonSync) return { kind: 'too-big', tag, append: isAppend, size };
      if (size > limit * DRAIN_FACTOR) throw new FatalInputError('Literal too large to skip');
      if (!(await reader.skipBytes(size))) return { kind: 'eof' };
      refused ??= { size };
      continue;
    }
    if (!nonSync) continueLiteral();
    const data = await reader.readBytes(size);
    if (data === null) return { kind: 'eof' };
    literals.push(data);
  }
}
