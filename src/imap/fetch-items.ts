// FETCH data items (RFC 3501 §6.4.5) parsed into a plan: which items, whether message bytes or
// the MIME tree are needed, and when \Seen gets set (non-PEEK body fetches, RFC822, RFC822.TEXT).

import type { Token } from './command-parser.js';
import { bad } from './errors.js';
import { MAX_NUMBER } from './sequence-set.js';

export type SectionSpec = '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export type FetchItem =
  | { kind: 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE' }
  | { kind: 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT' }
  | {
      kind: 'section';
      peek: boolean;
      path: number[];
      spec: SectionSpec;
      /** header field names, lower-case, for HEADER.FIELDS (.NOT) */
      fields: string[];
      partial: { origin: number; length: number } | null;
      /** how the response names it: `BODY[1.HEADER.FIELDS (DATE FROM)]<0>` */
      label: string;
    };

/**
 * When a FETCH sets \Seen. Only an answer with message content does: RFC822, RFC822.TEXT and a
 * non-PEEK top-level BODY[...] always have some ('always'); a non-PEEK BODY[2.1] has none in a
 * message without that part, where the answer is NIL and the message stays unseen
 * ('if-part-exists'). Dovecot marks the message read all the same; a client probing for a part
 * the user never saw should not make it look read.
 */
export type SeenRule = 'always' | 'if-part-exists' | 'never';

export interface FetchPlan {
  items: FetchItem[];
  needsRaw: boolean;
  needsTree: boolean;
  seen: SeenRule;
}

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);

export function parseFetchItems(token: Token | undefined, byUid: boolean): FetchPlan {
  if (!token) throw bad('FETCH expects data items');
  let names: string[];
  if (token.kind === 'list') {
    if (token.items.length === 0) throw bad('Empty FETCH item list');
    names = token.items.map((t) => {
      if (t.kind !== 'atom') throw bad('Invalid FETCH item');
      return t.value;
    });
  } else if (token.kind === 'atom') {
    names = MACROS[token.value.toUpperCase()] ?? [token.value];
  } else {
    throw bad('Invalid FETCH item');
  }
  const items: FetchItem[] = [];
  for (const name of names) items.push(parseItem(name));
  // UID FETCH always reports the UID (RFC 3501 §6.4.8)
  if (byUid && !items.some((i) => i.kind === 'UID')) items.unshift({ kind: 'UID' });
  let needsRaw = false;
  let needsTree = false;
  let seen: SeenRule = 'never';
  for (const item of items) {
    switch (item.kind) {
      case 'ENVELOPE':
        needsRaw = true;
        break;
      case 'BODY':
      case 'BODYSTRUCTURE':
        needsRaw = needsTree = true;
        break;
      case 'RFC822':
      case 'RFC822.TEXT':
        needsRaw = true;
        seen = 'always';
        break;
      case 'RFC822.HEADER':
        needsRaw = true;
        break;
      case 'section':
        needsRaw = true;
        if (item.path.length > 0) needsTree = true;
        if (!item.peek && item.path.length === 0) seen = 'always';
        else if (!item.peek && seen === 'never') seen = 'if-part-exists';
        break;
    }
  }
  return { items, needsRaw, needsTree, seen };
}

function parseItem(name: string): FetchItem {
  const upper = name.toUpperCase();
  if (SIMPLE.has(upper)) return { kind: upper } as FetchItem;
  const m = /^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$/i.exec(name);
  if (!m) throw bad(`Unknown FETCH item ${name.replace(/[^\x21-\x7e]/g, '').slice(0, 40)}`);
  const peek = m[1].toUpperCase() === 'BODY.PEEK';
  const section = m[2];
  const sm = /^((?:[1-9]\d*)(?:\.[1-9]\d*)*)?(?:(?:^|\.)(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME))?(?:\s*\((.*)\))?$/i.exec(section);
  if (!sm) throw bad('Invalid section');
  const path = sm[1] ? sm[1].split('.').map(Number) : [];
  const spec = (sm[2]?.toUpperCase() ?? '') as SectionSpec;
  if (spec === 'MIME' && path.length === 0) throw bad('MIME needs a part number');
  const isFields = spec === 'HEADER.FIELDS' || spec === 'HEADER.FIELDS.NOT';
  if (isFields !== (sm[3] !== undefined)) throw bad('HEADER.FIELDS needs a list of field names');
  const rawFields = isFields ? splitFieldList(sm[3]!) : [];
  if (isFields && rawFields.length === 0) throw bad('Empty header field list');
  const partial = m[3] !== undefined ? { origin: Number(m[3]), length: Number(m[4]) } : null;
  if (partial && (partial.origin > MAX_NUMBER || partial.length > MAX_NUMBER)) throw bad('Invalid partial');
  const sectionLabel = [path.join('.'), spec].filter(Boolean).join('.') + (isFields ? ` (${rawFields.map((f) => quoteField(f)).join(' ')})` : '');
  return {
    kind: 'section',
    peek,
    path,
    spec,
    fields: rawFields.map((f) => f.toLowerCase()),
    partial,
    label: `BODY[${sectionLabel}]${partial ? `<${partial.origin}>` : ''}`,
  };
}

function splitFieldList(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^\s"]+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  if (out.some((f) => !/^[\x21-\x39\x3b-\x7e]+$/.test(f))) throw bad('Invalid header field name');
  return out;
}

function quoteField(field: string): string {
  // echoed as the client wrote it: some clients match the response item by exact text
  return /^[A-Za-z0-9!#$&'+\-.^_`|~]+$/.test(field) ? field : `"${field.replace(/["\\]/g, '\\$&')}"`;
}
