// The message a user submits, as the punto di accesso sees it: a tolerant summary of its header
// (addresses, decoded subject, Message-ID, requested receipt flavour, the raw fields the busta
// copies) that never throws, the acceptance rewrite (Message-ID := identificativo, client id kept
// in X-Riferimento-Message-ID, every other byte untouched) and the certification facts.

import {
  decodeWords, headerText, isAddress, parseAddressList, type Mailbox,
} from './mime-headers.js';
import type { Destinatario, MessageFacts, ReceiptFlavour } from './types.js';


/** One header field with its exact byte range in the message. */
export interface RawHeaderField {
  /** name as written */
  name: string;
  /** the value as written after the colon and its leading blanks: folding kept, not decoded, Latin-1 string (one char per byte) */
  rawValue: string;
  /** byte offset of the field's first byte */
  start: number;
  /** byte offset just after the field's final line break */
  end: number;
}

export interface HeaderScan {
  fields: RawHeaderField[];
  /** lines in the header section that are neither fields nor continuations (kept, reported) */
  junk: Array<{ start: number; end: number }>;
  /** byte offset where the blank line separating header and body starts (= raw.length when none) */
  headerEnd: number;
  /** line ending of the header section */
  eol: '\r\n' | '\n';
}

const FIELD_NAME = /^[!-9;-~]+$/;

/** Finds the header fields of a message and their byte ranges, without interpreting them. */
export function scanHeader(raw: Buffer): HeaderScan {
  const fields: RawHeaderField[] = [];
  const junk: HeaderScan['junk'] = [];
  let eol: '\r\n' | '\n' | null = null;
  let pos = 0;
  let headerEnd = raw.length;
  while (pos < raw.length) {
    const nl = raw.indexOf(0x0a, pos);
    const lineEnd = nl < 0 ? raw.length : nl + 1;
    const contentEnd = nl < 0 ? raw.length : nl > pos && raw[nl - 1] === 0x0d ? nl - 1 : nl;
    if (eol === null && nl >= 0) eol = contentEnd < nl ? '\r\n' : '\n';
    if (contentEnd === pos) {
      headerEnd = pos;
      break;
    }
    const first = raw[pos];
    const last = fields[fields.length - 1];
    if ((first === 0x20 || first === 0x09) && last && last.end === pos) {
      last.end = lineEnd;
    } else {
      const line = raw.toString('latin1', pos, contentEnd);
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (FIELD_NAME.test(name)) fields.push({ name, rawValue: '', start: pos, end: lineEnd });
      else junk.push({ start: pos, end: lineEnd });
    }
    pos = lineEnd;
  }
  for (const field of fields) {
    const text = raw.toString('latin1', field.start, field.end).replace(/\r?\n$/, '');
    field.rawValue = text.slice(field.name.length + 1).replace(/^[ \t]+/, '');
  }
  return { fields, junk, headerEnd, eol: eol ?? '\r\n' };
}

/** Unfolded, charset-decoded (UTF-8 when valid, else Latin-1) value of a raw field, not RFC 2047-decoded. */
export function fieldText(rawValue: string): string {
  return headerText(Buffer.from(rawValue.replace(/\r?\n(?=[ \t])/g, ''), 'latin1')).trim();
}

export interface OriginalSummary {
  /** the single From mailbox; null when missing or not exactly one valid address (see errors) */
  from: Mailbox | null;
  /** the From field as the client wrote it, unfolded and decoded, e.g. `"Mario Rossi" <mario.rossi@pec.beta.test>` */
  fromDisplay: string;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  /** first Reply-To mailbox, null when absent */
  replyTo: Mailbox | null;
  /** decoded Subject, '' when absent */
  subject: string;
  hasSubject: boolean;
  /** the client's Message-ID with angle brackets, null when absent */
  messageId: string | null;
  /** X-TipoRicevuta (any casing): completa when absent or unknown */
  tipoRicevuta: ReceiptFlavour;
  /** raw field values (folding kept, not decoded) the busta copies as they are */
  headers: {
    to: string | null;
    cc: string | null;
    replyTo: string | null;
    received: string[];
    /** value of the client's X-TipoRicevuta as written, null when absent */
    tipoRicevuta: string | null;
  };
  /** bytes of the whole message */
  size: number;
  /** malformed From / To / Cc: the access point refuses such a message (pec-rules §6) */
  errors: string[];
  /** tolerated oddities: unknown X-TipoRicevuta, odd Message-ID, junk header lines */
  warnings: string[];
}

const FLAVOURS: readonly ReceiptFlavour[] = ['completa', 'breve', 'sintetica'];

function normaliseMessageId(value: string, warnings: string[]): string | null {
  const bracketed = /<[^<>\s]+>/.exec(value);
  if (bracketed) return bracketed[0];
  const bare = value.trim();
  if (bare && !/\s/.test(bare) && !/[<>]/.test(bare)) {
    warnings.push(`Message-ID without angle brackets: ${JSON.stringify(bare)}`);
    return `<${bare}>`;
  }
  warnings.push(`unreadable Message-ID ${JSON.stringify(value)}: treated as absent`);
  return null;
}

function addresses(field: string, values: string[], errors: string[]): Mailbox[] {
  const out: Mailbox[] = [];
  for (const value of values) {
    for (const mailbox of parseAddressList(value)) {
      if (isAddress(mailbox.address)) out.push(mailbox);
      else errors.push(`${field}: not a valid address: ${JSON.stringify(mailbox.address)}`);
    }
  }
  return out;
}

/** Reads what PEC needs from a submitted message. Never throws: problems land in errors / warnings. */
export function readOriginal(raw: Buffer): OriginalSummary {
  const errors: string[] = [];
  const warnings: string[] = [];
  const scan = scanHeader(raw);
  if (scan.junk.length) warnings.push(`${scan.junk.length} header line(s) that are not fields were ignored`);
  const all = (name: string) => scan.fields.filter((f) => f.name.toLowerCase() === name);
  const firstRaw = (name: string) => all(name)[0]?.rawValue ?? null;

  const fromFields = all('from');
  let from: Mailbox | null = null;
  let fromDisplay = '';
  if (fromFields.length === 0) errors.push('From: missing');
  else {
    if (fromFields.length > 1) errors.push('From: more than one From field');
    fromDisplay = decodeWords(fieldText(fromFields[0].rawValue));
    const mailboxes = parseAddressList(fieldText(fromFields[0].rawValue));
    if (mailboxes.length !== 1) errors.push(`From: must hold exactly one address, found ${mailboxes.length}`);
    else if (!isAddress(mailboxes[0].address)) errors.push(`From: not a valid address: ${JSON.stringify(mailboxes[0].address)}`);
    else if (fromFields.length === 1) from = mailboxes[0];
  }

  const toValues = all('to').map((f) => fieldText(f.rawValue));
  const to = addresses('To', toValues, errors);
  if (toValues.length === 0) errors.push('To: missing');
  else if (to.length === 0) errors.push('To: no valid address');
  const cc = addresses('Cc', all('cc').map((f) => fieldText(f.rawValue)), errors);
  // Bcc is the access point's concern (it must be empty); its addresses are reported, not judged
  const bcc = all('bcc').flatMap((f) => parseAddressList(fieldText(f.rawValue)));
  const replyToRaw = firstRaw('reply-to');
  const replyTo = replyToRaw === null ? null : (parseAddressList(fieldText(replyToRaw)).find((m) => isAddress(m.address)) ?? null);

  const subjectRaw = firstRaw('subject');
  const messageIdRaw = firstRaw('message-id');
  const tipoRaw = firstRaw('x-tiporicevuta');
  let tipoRicevuta: ReceiptFlavour = 'completa';
  if (tipoRaw !== null) {
    const value = fieldText(tipoRaw).toLowerCase();
    if ((FLAVOURS as readonly string[]).includes(value)) tipoRicevuta = value as ReceiptFlavour;
    else warnings.push(`X-TipoRicevuta ${JSON.stringify(fieldText(tipoRaw))} is not completa, breve or sintetica: completa used`);
  }

  return {
    from,
    fromDisplay,
    to,
    cc,
    bcc,
    replyTo,
    subject: subjectRaw === null ? '' : decodeWords(fieldText(subjectRaw)),
    hasSubject: subjectRaw !== null,
    messageId: messageIdRaw === null ? null : normaliseMessageId(fieldText(messageIdRaw), warnings),
    tipoRicevuta,
    headers: {
      to: firstRaw('to'),
      cc: firstRaw('cc'),
      replyTo: replyToRaw,
      received: all('received').map((f) => f.rawValue),
      tipoRicevuta: tipoRaw,
    },
    size: raw.length,
    errors,
    warnings,
  };
}

export interface AcceptedOriginal {
  /** the message with Message-ID `<identificativo>` and X-Riferimento-Message-ID, otherwise byte for byte the input */
  accepted: Buffer;
  /** the client's Message-ID with angle brackets, null when it sent none */
  clientMessageId: string | null;
}

/**
 * The acceptance rewrite real providers apply (pec-rules §2): the top-level Message-ID becomes
 * `<identificativo>` and the client's id moves to `X-Riferimento-Message-ID`, written where the
 * Message-ID was. Further Message-ID fields and any X-Riferimento-Message-ID the client wrote
 * itself are dropped (one message, one id). A message without Message-ID gets one at the end of
 * its header and no X-Riferimento-Message-ID. Nothing else changes: body and line ends as given.
 */
export function acceptOriginal(raw: Buffer, identificativo: string): AcceptedOriginal {
  if (/[\s<>]/.test(identificativo) || !identificativo.includes('@')) {
    throw new Error(`not an identificativo: ${JSON.stringify(identificativo)}`);
  }
  const scan = scanHeader(raw);
  const { eol } = scan;
  const messageIds = scan.fields.filter((f) => f.name.toLowerCase() === 'message-id');
  const clientMessageId = messageIds.length ? normaliseMessageId(fieldText(messageIds[0].rawValue), []) : null;
  const ours = Buffer.from(
    `Message-ID: <${identificativo}>${eol}` + (clientMessageId ? `X-Riferimento-Message-ID: ${clientMessageId}${eol}` : ''),
    'latin1',
  );
  const dropped = scan.fields.filter((f) => {
    const name = f.name.toLowerCase();
    return name === 'message-id' || name === 'x-riferimento-message-id';
  });
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const field of dropped) {
    pieces.push(raw.subarray(pos, field.start));
    if (field === messageIds[0]) pieces.push(ours);
    pos = field.end;
  }
  if (messageIds.length === 0) {
    pieces.push(raw.subarray(pos, scan.headerEnd));
    // a header section that ends without a line break (no body at all) needs one first
    if (scan.headerEnd > 0 && raw[scan.headerEnd - 1] !== 0x0a) pieces.push(Buffer.from(eol, 'latin1'));
    pieces.push(ours);
    pos = scan.headerEnd;
  }
  pieces.push(raw.subarray(pos));
  return { accepted: Buffer.concat(pieces), clientMessageId };
}

function dedupe(mailboxes: Mailbox[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { address } of mailboxes) {
    const key = address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(address);
    }
  }
  return out;
}

/**
 * The certification facts every daticert of the message repeats. `tipoOf` answers certificato /
 * esterno per recipient (the providers' index decides). An address in both To and Cc counts once, as To.
 */
export function extractFacts(
  summary: OriginalSummary,
  identificativo: string,
  tipoOf: (address: string) => Destinatario['tipo'],
): MessageFacts {
  const to = dedupe(summary.to);
  const all = dedupe([...summary.to, ...summary.cc]);
  const mittente = summary.from?.address ?? '';
  return {
    mittente,
    mittenteDisplay: summary.fromDisplay || mittente,
    destinatari: all.map((address) => ({ address, tipo: tipoOf(address) })),
    to,
    risposte: summary.replyTo?.address ?? mittente,
    oggetto: summary.subject,
    identificativo,
    msgid: summary.messageId,
    ricevuta: summary.tipoRicevuta,
  };
}
