// Tokenises one client command (RFC 3501 §9) after framing: the text of its lines, where each
// literal is marked by a NUL (which IMAP never allows in command text), plus the literals' bytes.
// Written here rather than on emailjs-imap-handler's parser because that one rejects what real
// clients send (`FETCH * (UID)`, `LIST "" INBOX/*`) and turns literals into strings.

export type Token =
  | { kind: 'atom'; value: string }
  | { kind: 'string'; value: Buffer; literal: boolean }
  | { kind: 'list'; items: Token[] };

export interface ParsedCommand {
  tag: string;
  /** upper-case command name; `UID FETCH` style for UID commands */
  name: string;
  args: Token[];
}

export class CommandSyntaxError extends Error {
  constructor(
    message: string,
    readonly tag: string | null,
  ) {
    super(message);
  }
}

const LITERAL_MARK = '\0';
const ATOM_STOP = new Set([' ', '(', ')', '"', LITERAL_MARK, '{']);

/**
 * Deepest parenthesised list a command may hold. No command in the grammar nests more than a few
 * levels (SEARCH groups are the deepest in practice); the parser recurses once per level, so a
 * line of thousands of `(` would otherwise exhaust the stack and end the connection.
 */
export const MAX_LIST_DEPTH = 100;

export function parseCommand(text: string, literals: Buffer[]): ParsedCommand {
  const firstSpace = text.indexOf(' ');
  const tag = firstSpace === -1 ? text : text.slice(0, firstSpace);
  if (!tag || !/^[\x21-\x7e]+$/.test(tag) || /[(){%*"\\+]/.test(tag) || tag.includes(LITERAL_MARK)) {
    throw new CommandSyntaxError('Invalid tag', null);
  }
  if (firstSpace === -1) throw new CommandSyntaxError('Missing command', tag);
  let pos = firstSpace + 1;
  const readWord = (): string => {
    const m = /^[A-Za-z0-9]+/.exec(text.slice(pos, pos + 40));
    if (!m) throw new CommandSyntaxError('Invalid command', tag);
    pos += m[0].length;
    return m[0].toUpperCase();
  };
  let name = readWord();
  if (name === 'UID') {
    if (text[pos] !== ' ') throw new CommandSyntaxError('Missing UID command', tag);
    pos++;
    name = `UID ${readWord()}`;
  }
  if (pos < text.length && text[pos] !== ' ') throw new CommandSyntaxError('Invalid command', tag);
  const state = { pos, literal: 0 };
  const args = parseItems(text, literals, state, tag, 0);
  if (state.literal !== literals.length) throw new CommandSyntaxError('Literal count mismatch', tag);
  return { tag, name, args };
}

/** the items up to the end of the text (depth 0) or up to the `)` closing a list at `depth` */
function parseItems(text: string, literals: Buffer[], state: { pos: number; literal: number }, tag: string, depth: number): Token[] {
  const inList = depth > 0;
  const items: Token[] = [];
  for (;;) {
    // separators: one space in the grammar; several are tolerated
    while (text[state.pos] === ' ') state.pos++;
    if (state.pos >= text.length) {
      if (inList) throw new CommandSyntaxError('Unterminated list', tag);
      return items;
    }
    const c = text[state.pos];
    if (c === ')') {
      if (!inList) throw new CommandSyntaxError('Unexpected )', tag);
      state.pos++;
      return items;
    }
    if (c === '(') {
      if (depth >= MAX_LIST_DEPTH) throw new CommandSyntaxError(`Lists nested too deeply (more than ${MAX_LIST_DEPTH} levels)`, tag);
      state.pos++;
      items.push({ kind: 'list', items: parseItems(text, literals, state, tag, depth + 1) });
    } else if (c === '"') {
      items.push({ kind: 'string', value: readQuoted(text, state, tag), literal: false });
    } else if (c === LITERAL_MARK) {
      const value = literals[state.literal++];
      if (!value) throw new CommandSyntaxError('Literal count mismatch', tag);
      state.pos++;
      items.push({ kind: 'string', value, literal: true });
    } else if (c === '{') {
      throw new CommandSyntaxError('Malformed literal', tag);
    } else {
      items.push({ kind: 'atom', value: readAtom(text, state, tag) });
    }
    const next = text[state.pos];
    if (next !== undefined && next !== ' ' && next !== ')') {
      throw new CommandSyntaxError(`Unexpected character at ${state.pos}`, tag);
    }
  }
}

function readQuoted(text: string, state: { pos: number }, tag: string): Buffer {
  let out = '';
  let i = state.pos + 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      state.pos = i + 1;
      return Buffer.from(out, 'latin1');
    }
    if (c === '\\') {
      const n = text[++i];
      if (n !== '"' && n !== '\\') throw new CommandSyntaxError('Invalid escape in quoted string', tag);
      out += n;
    } else if (c === '\r' || c === '\n' || c === LITERAL_MARK) {
      break;
    } else {
      out += c;
    }
  }
  throw new CommandSyntaxError('Unterminated quoted string', tag);
}

/** an atom; `[...]` inside it (BODY[HEADER.FIELDS (A B)]) is taken whole, spaces and all */
function readAtom(text: string, state: { pos: number }, tag: string): string {
  const start = state.pos;
  let i = state.pos;
  while (i < text.length) {
    const c = text[i];
    if (c === '[') {
      const close = text.indexOf(']', i);
      if (close === -1) throw new CommandSyntaxError('Unterminated [', tag);
      if (text.slice(i, close).includes(LITERAL_MARK)) throw new CommandSyntaxError('Literal inside section', tag);
      i = close + 1;
      continue;
    }
    if (ATOM_STOP.has(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e) break;
    i++;
  }
  if (i === start) throw new CommandSyntaxError(`Unexpected character at ${start}`, tag);
  state.pos = i;
  return text.slice(start, i);
}

// ---- helpers commands use to read their arguments ----

export function tokenText(token: Token | undefined): string | null {
  if (!token) return null;
  if (token.kind === 'atom') return token.value;
  if (token.kind === 'string') return token.value.toString('utf8');
  return null;
}
