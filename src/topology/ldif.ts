// A minimal LDIF writer (RFC 2849, content records only): which values may be written as text and
// which must be base64 (`::`), line folding at 76 octets, and DN escaping (RFC 4514). Knows
// nothing of PEC: igpec.ts maps the providers' index onto it.

export type LdifValue = string | Uint8Array;

export interface LdifEntry {
  dn: string;
  /** in output order; repeat a name for a multi-valued attribute */
  attributes: Array<[name: string, value: LdifValue]>;
}

export const LDIF_LINE_WIDTH = 76;

/**
 * RFC 2849 SAFE-STRING: no NUL, LF or CR, only 7-bit characters, not starting with space, ':'
 * or '<'. A trailing space is allowed by the grammar but lost by many readers: encode it too.
 */
export function isSafeString(value: string): boolean {
  if (value === '') return true;
  if (/[^\x01-\x09\x0b\x0c\x0e-\x7f]/.test(value)) return false;
  if (/^[ :<]/.test(value)) return false;
  return !value.endsWith(' ');
}

/** `name: value` or `name:: base64`, unfolded. Binary values are always base64. */
export function attributeLine(name: string, value: LdifValue): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$/.test(name)) throw new Error(`invalid LDIF attribute description: ${name}`);
  if (typeof value !== 'string') return `${name}:: ${Buffer.from(value).toString('base64')}`;
  if (isSafeString(value)) return value === '' ? `${name}:` : `${name}: ${value}`;
  return `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/**
 * Folds a line longer than `width` octets: each continuation line starts with one space, which
 * readers remove. Splits between characters, never inside a UTF-8 sequence.
 */
export function foldLine(line: string, width = LDIF_LINE_WIDTH): string {
  if (Buffer.byteLength(line, 'utf8') <= width) return line;
  const parts: string[] = [];
  let current = '';
  let currentBytes = 0;
  let limit = width;
  for (const char of line) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (currentBytes + bytes > limit) {
      parts.push(current);
      current = ' ';
      currentBytes = 1;
      limit = width;
    }
    current += char;
    currentBytes += bytes;
  }
  parts.push(current);
  return parts.join('\n');
}

/** Escapes one RDN value (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\"+,;<>]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

export interface LdifOptions {
  /** comment lines written before `version: 1` (without the leading '#') */
  header?: string[];
}

/** A complete LDIF content file: header comments, `version: 1`, entries separated by blank lines. */
export function toLdifText(entries: readonly LdifEntry[], options: LdifOptions = {}): string {
  const lines: string[] = [];
  for (const comment of options.header ?? []) lines.push(foldLine(comment === '' ? '#' : `# ${comment}`));
  lines.push('version: 1');
  entries.forEach((entry, i) => {
    // The first record follows the version line directly, as in RFC 2849's examples: some
    // readers take a blank line there for an empty record.
    if (i > 0) lines.push('');
    lines.push(foldLine(attributeLine('dn', entry.dn)));
    for (const [name, value] of entry.attributes) lines.push(foldLine(attributeLine(name, value)));
  });
  return `${lines.join('\n')}\n`;
}
