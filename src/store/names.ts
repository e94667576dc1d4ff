// Folder names and flags as the store accepts and returns them: the IMAP rules (INBOX is
// case-insensitive, '/' separates levels; system flags are case-insensitive, keywords keep their
// spelling) are applied here once, so every caller gets the same answers.

import { StoreError } from './errors.js';

export const DELIMITER = '/';
export const INBOX = 'INBOX';

/** canonical folder name: INBOX (also as the first level) in upper case, the rest as given */
export function normalizeFolderName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new StoreError('INVALID', 'empty folder name');
  if (/[\x00-\x1f\x7f]/.test(name)) throw new StoreError('INVALID', `folder name has control characters: ${JSON.stringify(name)}`);
  if (/[*%]/.test(name)) throw new StoreError('INVALID', `folder name has a wildcard: ${name}`);
  const parts = name.split(DELIMITER);
  if (parts.some((p) => p.length === 0)) throw new StoreError('INVALID', `folder name has an empty level: ${name}`);
  if (parts[0].toUpperCase() === INBOX) parts[0] = INBOX;
  return parts.join(DELIMITER);
}

/** the names of every level above `name`, outermost first: 'a/b/c' -> ['a', 'a/b'] */
export function ancestors(name: string): string[] {
  const parts = name.split(DELIMITER);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join(DELIMITER));
  return out;
}

export function normalizeAddress(address: string): string {
  if (typeof address !== 'string') throw new StoreError('INVALID', 'address must be a string');
  const a = address.trim().toLowerCase();
  if (a.length === 0 || /\s/.test(a)) throw new StoreError('INVALID', `invalid address: ${JSON.stringify(address)}`);
  return a;
}

const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
const SYSTEM_BY_LOWER = new Map<string, string>(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));
// atom-specials of RFC 3501 minus '\' (allowed only as the first char of a system flag)
const KEYWORD_FORBIDDEN = /[\x00-\x20\x7f(){%*"\\\]]/;

/**
 * Canonical flag list: system flags first in a fixed order and spelled canonically, then
 * keywords in the order first seen, deduplicated ignoring case. \Recent is dropped: it belongs
 * to an IMAP session, not to the message.
 */
export function normalizeFlags(flags: readonly string[]): string[] {
  const system = new Set<string>();
  const keywords = new Map<string, string>();
  for (const flag of flags) {
    if (typeof flag !== 'string' || flag.length === 0) throw new StoreError('INVALID', 'empty flag');
    const lower = flag.toLowerCase();
    if (flag.startsWith('\\')) {
      if (lower === '\\recent') continue;
      const canonical = SYSTEM_BY_LOWER.get(lower);
      if (!canonical) throw new StoreError('INVALID', `unknown system flag ${flag}`);
      system.add(canonical);
    } else {
      if (KEYWORD_FORBIDDEN.test(flag)) throw new StoreError('INVALID', `invalid keyword ${JSON.stringify(flag)}`);
      if (!keywords.has(lower)) keywords.set(lower, flag);
    }
  }
  return [...SYSTEM_FLAGS.filter((f) => system.has(f)), ...keywords.values()];
}

export function applyFlags(current: readonly string[], change: readonly string[], mode: 'set' | 'add' | 'remove'): string[] {
  const delta = normalizeFlags(change);
  if (mode === 'set') return delta;
  if (mode === 'add') return normalizeFlags([...current, ...delta]);
  const remove = new Set(delta.map((f) => f.toLowerCase()));
  return current.filter((f) => !remove.has(f.toLowerCase()));
}

// Flags cannot contain spaces (see KEYWORD_FORBIDDEN), so a space-joined column round-trips.
export function encodeFlags(flags: readonly string[]): string {
  return flags.join(' ');
}

export function decodeFlags(text: string): string[] {
  return text.length === 0 ? [] : text.split(' ');
}
