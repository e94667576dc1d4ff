// SEARCH criteria (RFC 3501 §6.4.4): parsed into a tree, then evaluated per message. Flag, size,
// date and number keys use the cached metadata only; header and body keys load the message and
// match case-insensitive substrings of decoded text (RFC 2047 words, transfer encodings, charsets).

import { tokenText, type Token } from './command-parser.js';
import { headerDay, localDay, parseSearchDate } from './dates.js';
import { bad, no } from './errors.js';
import { hasFlag, normaliseFlag } from './flags.js';
import { decodeCharset, decodeWords, param } from './mime/header.js';
import { leaves, parseMessage, type MimeEntity } from './mime/structure.js';
import { MAX_NUMBER, parseSequenceSet, type SeqRange } from './sequence-set.js';
import type { MessageRecord } from '../store/types.js';

export type SearchKey =
  | { op: 'all' }
  | { op: 'flag'; flag: string; set: boolean }
  | { op: 'new' }
  | { op: 'recent'; set: boolean }
  | { op: 'seq'; ranges: SeqRange[] }
  | { op: 'uid'; ranges: SeqRange[] }
  | { op: 'header'; field: string; value: string }
  | { op: 'body'; value: string }
  | { op: 'text'; value: string }
  | { op: 'date'; sent: boolean; cmp: 'before' | 'on' | 'since'; day: number }
  | { op: 'size'; larger: boolean; n: number }
  | { op: 'not'; key: SearchKey }
  | { op: 'or'; a: SearchKey; b: SearchKey }
  | { op: 'and'; keys: SearchKey[] };

export interface SearchScope {
  /** highest message sequence number and UID, for `*` */
  exists: number;
  maxUid: number;
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true], UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true], UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true], UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true], UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true], UNSEEN: ['\\Seen', false],
};

const HEADER_KEYS: Record<string, string> = { FROM: 'from', TO: 'to', CC: 'cc', BCC: 'bcc', SUBJECT: 'subject' };
const DATE_KEYS: Record<string, [boolean, 'before' | 'on' | 'since']> = {
  BEFORE: [false, 'before'], ON: [false, 'on'], SINCE: [false, 'since'],
  SENTBEFORE: [true, 'before'], SENTON: [true, 'on'], SENTSINCE: [true, 'since'],
};

/**
 * Deepest nesting of search keys (groups, NOT, OR operands). Parsing and evaluating recurse once
 * per level, and the stack gives out after about 3,000. The limit is well above 100 because OR takes
 * two keys, so clients express "any of N" as N nested ORs: JavaMail's OrTerm over a few hundred
 * Message-IDs is a real search. Parenthesised groups are held to fewer by the command parser.
 */
export const MAX_SEARCH_DEPTH = 1000;

/** parses the whole SEARCH argument list, including an optional leading CHARSET */
export function parseSearch(args: Token[], scope: SearchScope): SearchKey {
  let tokens = args;
  let charset = 'UTF-8';
  if (tokens[0]?.kind === 'atom' && tokens[0].value.toUpperCase() === 'CHARSET') {
    charset = (tokenText(tokens[1]) ?? '').toUpperCase();
    tokens = tokens.slice(2);
    if (!['UTF-8', 'US-ASCII'].includes(charset)) throw no('Unsupported charset', 'BADCHARSET (UTF-8 US-ASCII)');
  }
  if (tokens.length === 0) throw bad('SEARCH expects criteria');
  const state = { i: 0 };
  const keys: SearchKey[] = [];
  while (state.i < tokens.length) keys.push(parseKey(tokens, state, scope, 0));
  return keys.length === 1 ? keys[0] : { op: 'and', keys };
}

function parseKey(tokens: Token[], state: { i: number }, scope: SearchScope, depth: number): SearchKey {
  if (depth > MAX_SEARCH_DEPTH) throw bad(`Search criteria nested too deeply (more than ${MAX_SEARCH_DEPTH} levels)`);
  const token = tokens[state.i++];
  if (!token) throw bad('Missing search key');
  if (token.kind === 'list') {
    if (token.items.length === 0) throw bad('Empty search group');
    const inner = { i: 0 };
    const keys: SearchKey[] = [];
    while (inner.i < token.items.length) keys.push(parseKey(token.items, inner, scope, depth + 1));
    return keys.length === 1 ? keys[0] : { op: 'and', keys };
  }
  if (token.kind !== 'atom') throw bad('Search key expected');
  const name = token.value.toUpperCase();
  const arg = (): string => {
    const value = tokenText(tokens[state.i++]);
    if (value === null) throw bad(`${name} expects an argument`);
    return value;
  };
  if (/^[\d*]/.test(name)) {
    const ranges = parseSequenceSet(token.value, scope.exists);
    if (!ranges) throw bad('Invalid sequence set');
    return { op: 'seq', ranges };
  }
  if (name in FLAG_KEYS) {
    const [flag, set] = FLAG_KEYS[name];
    return { op: 'flag', flag, set };
  }
  if (name in HEADER_KEYS) return { op: 'header', field: HEADER_KEYS[name], value: arg() };
  if (name in DATE_KEYS) {
    const [sent, cmp] = DATE_KEYS[name];
    const day = parseSearchDate(arg());
    if (day === null) throw bad(`${name} expects a date like 1-Feb-2024`);
    return { op: 'date', sent, cmp, day };
  }
  switch (name) {
    case 'ALL':
      return { op: 'all' };
    case 'NEW':
      return { op: 'new' };
    case 'OLD':
      return { op: 'recent', set: false };
    case 'RECENT':
      return { op: 'recent', set: true };
    case 'KEYWORD':
    case 'UNKEYWORD': {
      const flag = normaliseFlag(arg());
      if (flag === null) throw bad('Invalid keyword');
      return { op: 'flag', flag, set: name === 'KEYWORD' };
    }
    case 'HEADER': {
      const field = arg().toLowerCase();
      return { op: 'header', field, value: arg() };
    }
    case 'BODY':
      return { op: 'body', value: arg() };
    case 'TEXT':
      return { op: 'text', value: arg() };
    case 'LARGER':
    case 'SMALLER': {
      const text = arg();
      const n = Number(text);
      if (!/^\d+$/.test(text) || n > MAX_NUMBER) throw bad(`${name} expects a number`);
      return { op: 'size', larger: name === 'LARGER', n };
    }
    case 'UID': {
      const ranges = parseSequenceSet(arg(), scope.maxUid);
      if (!ranges) throw bad('Invalid UID set');
      return { op: 'uid', ranges };
    }
    case 'NOT':
      return { op: 'not', key: parseKey(tokens, state, scope, depth + 1) };
    case 'OR': {
      const a = parseKey(tokens, state, scope, depth + 1);
      const b = parseKey(tokens, state, scope, depth + 1);
      return { op: 'or', a, b };
    }
    default:
      throw bad(`Unknown search key ${name.replace(/[^A-Z0-9.-]/g, '').slice(0, 30)}`);
  }
}

/** what a search runs over: the session's view, in sequence order */
export interface SearchSource {
  count: number;
  /** record of the message with sequence number index + 1 (undefined if gone) */
  record(index: number): MessageRecord | undefined;
  recent(uid: number): boolean;
  /** the raw bytes, or null when the message vanished */
  load(record: MessageRecord): Buffer | null;
}

/** per-message lazily computed text, shared by all keys of one evaluation */
class Content {
  private tree: MimeEntity | null | undefined;
  private bodyText: string | undefined;
  private headerTextCache: string | undefined;
  private raw: Buffer | null = null;
  constructor(
    private readonly source: SearchSource,
    private readonly record: MessageRecord,
  ) {}

  private root(): MimeEntity | null {
    if (this.tree === undefined) {
      const raw = this.source.load(this.record);
      this.raw = raw;
      this.tree = raw ? parseMessage(raw) : null;
    }
    return this.tree;
  }

  headerValues(field: string): string[] | null {
    const root = this.root();
    if (!root) return null;
    return root.fields.filter((f) => f.key === field).map((f) => decodeWords(f.value));
  }

  headerText(): string {
    if (this.headerTextCache === undefined) {
      const root = this.root();
      this.headerTextCache = root ? root.fields.map((f) => `${f.key}: ${decodeWords(f.value)}`).join('\n').toLowerCase() : '';
    }
    return this.headerTextCache;
  }

  body(): string {
    if (this.bodyText === undefined) {
      const root = this.root();
      this.bodyText = root && this.raw ? bodyText(this.raw, root).toLowerCase() : '';
    }
    return this.bodyText;
  }
}

const TEXTUAL = /^(text\/|message\/|application\/(xml|json|.*\+xml))/;

function bodyText(raw: Buffer, root: MimeEntity): string {
  const parts: string[] = [];
  for (const leaf of leaves(root)) {
    if (!TEXTUAL.test(`${leaf.type}/${leaf.subtype}`)) continue;
    const bytes = raw.subarray(leaf.bodyStart, leaf.bodyEnd);
    const decoded = decodeTransfer(bytes, leaf.encoding);
    parts.push(decodeCharset(decoded, param(leaf.params, 'charset') ?? 'utf-8'));
  }
  return parts.join('\n');
}

function decodeTransfer(bytes: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(bytes.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const text = bytes
      .toString('latin1')
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(text, 'latin1');
  }
  return bytes;
}

function compareDay(day: number, cmp: 'before' | 'on' | 'since', wanted: number): boolean {
  if (cmp === 'before') return day < wanted;
  if (cmp === 'on') return day === wanted;
  return day >= wanted;
}

/** the message being evaluated; one object reused across the whole search (10,000 messages) */
class Candidate {
  seq = 0;
  record!: MessageRecord;
  recent = false;
  private loaded: Content | null = null;
  constructor(private readonly source: SearchSource) {}
  reset(seq: number, record: MessageRecord): void {
    this.seq = seq;
    this.record = record;
    this.recent = this.source.recent(record.uid);
    this.loaded = null;
  }
  content(): Content {
    this.loaded ??= new Content(this.source, this.record);
    return this.loaded;
  }
}

function evaluate(key: SearchKey, c: Candidate): boolean {
  switch (key.op) {
    case 'all':
      return true;
    case 'flag':
      return hasFlag(c.record.flags, key.flag) === key.set;
    case 'new':
      return c.recent && !hasFlag(c.record.flags, '\\Seen');
    case 'recent':
      return c.recent === key.set;
    case 'seq':
      return key.ranges.some(([a, b]) => c.seq >= a && c.seq <= b);
    case 'uid':
      return key.ranges.some(([a, b]) => c.record.uid >= a && c.record.uid <= b);
    case 'size':
      return key.larger ? c.record.size > key.n : c.record.size < key.n;
    case 'date': {
      if (!key.sent) return compareDay(localDay(c.record.internalDate), key.cmp, key.day);
      const date = c.content().headerValues('date')?.[0];
      const day = date === undefined ? null : headerDay(date);
      return day !== null && compareDay(day, key.cmp, key.day);
    }
    case 'header': {
      const values = c.content().headerValues(key.field);
      if (!values || values.length === 0) return false;
      if (key.value === '') return true;
      const needle = key.value.toLowerCase();
      return values.some((v) => v.toLowerCase().includes(needle));
    }
    case 'body':
      return c.content().body().includes(key.value.toLowerCase());
    case 'text': {
      const needle = key.value.toLowerCase();
      const content = c.content();
      return content.headerText().includes(needle) || content.body().includes(needle);
    }
    case 'not':
      return !evaluate(key.key, c);
    case 'or':
      return evaluate(key.a, c) || evaluate(key.b, c);
    case 'and':
      return key.keys.every((k) => evaluate(k, c));
  }
}

/** sequence numbers (1-based) of the matching messages, ascending */
export function runSearch(key: SearchKey, source: SearchSource): number[] {
  const out: number[] = [];
  const candidate = new Candidate(source);
  for (let i = 0; i < source.count; i++) {
    const record = source.record(i);
    if (!record) continue;
    candidate.reset(i + 1, record);
    if (evaluate(key, candidate)) out.push(i + 1);
  }
  return out;
}
