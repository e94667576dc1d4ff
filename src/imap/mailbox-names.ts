// Mailbox names between the wire (modified UTF-7, RFC 3501 §5.1.3; INBOX case-insensitive) and
// the store (UTF-8, '/' as hierarchy delimiter), and LIST pattern matching (`*`, `%`).

export const DELIMITER = '/';

export function encodeMailboxName(name: string): string {
  let out = '';
  let pending = '';
  const flush = (): void => {
    if (!pending) return;
    const utf16 = Buffer.alloc(pending.length * 2);
    for (let i = 0; i < pending.length; i++) utf16.writeUInt16BE(pending.charCodeAt(i), i * 2);
    out += `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    pending = '';
  };
  for (const ch of name) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === '&' ? '&-' : ch;
    } else {
      pending += ch;
    }
  }
  flush();
  return out;
}

/** wire name → store name; null when the modified UTF-7 is malformed */
export function decodeMailboxName(wire: string): string | null {
  let out = '';
  for (let i = 0; i < wire.length; i++) {
    const ch = wire[i];
    if (ch !== '&') {
      out += ch;
      continue;
    }
    const end = wire.indexOf('-', i);
    if (end === -1) return null;
    const chunk = wire.slice(i + 1, end);
    if (chunk === '') out += '&';
    else {
      if (!/^[A-Za-z0-9+,]+$/.test(chunk)) return null;
      const bytes = Buffer.from(chunk.replace(/,/g, '/'), 'base64');
      for (let j = 0; j + 1 < bytes.length; j += 2) out += String.fromCharCode(bytes.readUInt16BE(j));
    }
    i = end;
  }
  return canonicalName(out);
}

/** INBOX in any case, alone or as a prefix, is spelled INBOX */
export function canonicalName(name: string): string {
  let n = name;
  if (/^inbox$/i.test(n)) return 'INBOX';
  if (/^inbox\//i.test(n)) n = `INBOX${n.slice(5)}`;
  return n;
}

/** LIST reference + pattern → a matcher over store names */
export function listMatcher(reference: string, pattern: string): (name: string) => boolean {
  // plain concatenation, as most servers do; clients pass references that end with the delimiter
  let full = `${reference}${pattern}`;
  if (/^inbox(?=$|\/|[*%])/i.test(full)) full = `INBOX${full.slice(5)}`;
  const source = full
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`, 's');
  return (name) => re.test(name);
}
