// Encoding of server response values (RFC 3501 §4): atoms, quoted strings, literals, NIL,
// parenthesised lists. Message bytes always go out as literals, byte for byte.

export class Atom {
  constructor(readonly text: string) {}
}

export const atom = (text: string): Atom => new Atom(text);

/**
 * A list whose leading items touch each other: `((a)(b) rest...)`. RFC 3501 writes address lists
 * (`1*address`) and multipart bodies (`1*body SP media-subtype`) that way.
 */
export class Adjacent {
  constructor(
    readonly items: Wire[],
    readonly rest: Wire[] = [],
  ) {}
}

/** a value in a response: null → NIL, Buffer → literal, string → quoted (or literal if needed) */
export type Wire = null | undefined | number | string | Buffer | Atom | Adjacent | Wire[];

/** pieces of output; strings are ASCII (latin1) text, Buffers raw bytes */
export type Piece = string | Buffer;

export function encode(value: Wire, out: Piece[] = []): Piece[] {
  if (value === null || value === undefined) out.push('NIL');
  else if (typeof value === 'number') out.push(String(value));
  else if (typeof value === 'string') pushString(value, out);
  else if (Buffer.isBuffer(value)) out.push(`{${value.length}}\r\n`, value);
  else if (value instanceof Atom) out.push(value.text);
  else if (value instanceof Adjacent) {
    out.push('(');
    for (const item of value.items) encode(item, out);
    for (const item of value.rest) {
      out.push(' ');
      encode(item, out);
    }
    out.push(')');
  }
  else {
    out.push('(');
    value.forEach((item, i) => {
      if (i > 0) out.push(' ');
      encode(item, out);
    });
    out.push(')');
  }
  return out;
}

function pushString(value: string, out: Piece[]): void {
  // quoted strings cannot carry CR, LF, NUL or 8-bit bytes
  if (value.length <= 1024 && !/[\x00-\x08\x0a-\x1f\x7f-\uffff]/.test(value)) {
    out.push(`"${value.replace(/[\\"]/g, '\\$&')}"`);
  } else {
    const bytes = Buffer.from(value, 'utf8');
    out.push(`{${bytes.length}}\r\n`, bytes);
  }
}

/** a string whose characters are raw bytes (latin1), e.g. header values, sent without re-encoding */
export function bytesString(latin1: string): Wire {
  if (latin1.length <= 1024 && !/[\x00-\x08\x0a-\x1f\x7f-\xff]/.test(latin1)) return latin1;
  return Buffer.from(latin1, 'latin1');
}

export function toBuffer(pieces: Piece[]): Buffer {
  return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
}

/** a mailbox name or other astring: atom when safe, otherwise quoted/literal */
export function astring(value: string): Wire {
  if (/^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~]+$/.test(value) && value.toUpperCase() !== 'NIL') return atom(value);
  return value;
}
