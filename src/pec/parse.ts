// Reading any message a PEC mailbox can hold — receipt, busta di trasporto, busta di anomalia,
// ordinary mail — into one plain structure: headers, the exact signed bytes and the CMS
// signature, daticert.xml, the original (postacert.eml, recursively), correlation ids and the
// kind. Pure and tolerant: it never throws; whatever does not fit is listed in `problems`.

import { decodeWords, parseAddressList, type HeaderMap, type Mailbox } from './mime-headers.js';
import { decodeText, decodeTransfer, fileNameOf, lineEndings, mimeTree, splitEntity, walk, type LineEndings, type MimeNode } from './mime-split.js';
import { classify, type PecVariant } from './parse-kind.js';
import { parseDaticert } from './daticert.js';
import { p7mToDer, readSignedData, type P7mEncoding } from './parse-p7m.js';
import type { Daticert, DaticertErrore, PecKind, ReceiptFlavour } from './types.js';

export interface SignedParts {
  /** `multipart/signed` (detached, what PEC uses) or `application/pkcs7-mime` (opaque, .p7m style) */
  form: 'multipart/signed' | 'pkcs7-mime';
  /** multipart/signed `protocol` parameter, lowercased */
  protocol: string | null;
  /** multipart/signed `micalg` parameter, lowercased */
  micalg: string | null;
  /** exact bytes the signature covers: the first body part as stored, or the encapsulated content */
  content: Buffer;
  /** CMS SignedData, DER; null when the signature part is missing or unreadable */
  signature: Buffer | null;
  signatureEncoding: P7mEncoding | null;
}

export interface EmbeddedMessage {
  /** MIME part number, like `1.3` */
  path: string;
  filename: string | null;
  /** exact bytes of the message (transfer encoding removed) */
  raw: Buffer;
  parsed: ParsedPec;
}

export interface AttachmentInfo {
  path: string;
  filename: string | null;
  mediaType: string;
  /** decoded size in bytes */
  size: number;
  /** for `.p7m` / pkcs7-mime attachments: how the CMS envelope is encoded */
  p7m?: P7mEncoding;
}

export interface CorrelationIds {
  /** Message-ID of this message (for a busta: the identificativo) */
  messageId: string | null;
  /** X-Riferimento-Message-ID: the client's original Message-ID */
  riferimentoMessageId: string | null;
  /** daticert identificativo */
  identificativo: string | null;
  /** daticert msgid */
  msgid: string | null;
}

export interface ParsedPec {
  /** outer header fields, case-insensitive lookup */
  headers: HeaderMap;
  lineEndings: LineEndings;
  /** decoded Subject */
  subject: string | null;
  from: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  date: string | null;
  ids: CorrelationIds;
  /** null: not a PEC message (ordinary mail, or unreadable) */
  kind: PecKind | null;
  /** avvenuta-consegna only */
  flavour?: ReceiptFlavour;
  /** from daticert, when it names one */
  errore?: DaticertErrore;
  /** kind with flavour / errore folded in: the names of the fixtures manifest */
  variant: PecVariant | null;
  /** what each source says about the kind, for cross-checks */
  witnesses: { marker: PecKind | null; subject: PecKind | null; daticertTipo: string | null };
  /** X-TipoRicevuta as sent (any casing), null when absent */
  tipoRicevuta: string | null;
  signed: SignedParts | null;
  /** human-readable notice */
  text: string | null;
  html: string | null;
  /** read tolerantly (see daticert.ts parseDaticert); what did not fit is in `problems` */
  daticert: Daticert | null;
  daticertXml: Buffer | null;
  /** the original message, parsed recursively */
  postacert: EmbeddedMessage | null;
  /** other attached messages (e.g. a forwarded busta), parsed recursively */
  embedded: EmbeddedMessage[];
  attachments: AttachmentInfo[];
  /** a multipart of this message lacks its close delimiter: the file was cut short */
  truncated: boolean;
  problems: string[];
}

const MAX_DEPTH = 8;

export function parsePec(raw: Buffer): ParsedPec {
  return parseAt(raw, 0);
}

function emptyParse(raw: Buffer, problems: string[]): ParsedPec {
  const entity = splitEntity(Buffer.alloc(0));
  return {
    headers: entity.headers,
    lineEndings: lineEndings(raw),
    subject: null,
    from: null,
    to: [],
    cc: [],
    date: null,
    ids: { messageId: null, riferimentoMessageId: null, identificativo: null, msgid: null },
    kind: null,
    variant: null,
    witnesses: { marker: null, subject: null, daticertTipo: null },
    tipoRicevuta: null,
    signed: null,
    text: null,
    html: null,
    daticert: null,
    daticertXml: null,
    postacert: null,
    embedded: [],
    attachments: [],
    truncated: false,
    problems,
  };
}

function parseAt(input: Buffer, depth: number): ParsedPec {
  const raw = Buffer.isBuffer(input) ? input : Buffer.from(input ?? []);
  if (raw.length === 0) return emptyParse(raw, ['empty input']);
  try {
    return parseMessage(raw, depth);
  } catch (error) {
    // a parser bug must not take a mail client down; report it like any other problem
    return emptyParse(raw, [`unreadable: ${(error as Error).message}`]);
  }
}

function messageId(value: string | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

function parseMessage(raw: Buffer, depth: number): ParsedPec {
  const problems: string[] = [];
  const tree = mimeTree(raw, problems);
  const root = tree.entity;
  const headers = root.headers;
  if (headers.fields.length === 0) problems.push('no header fields: not an RFC 5322 message');
  else if (root.headerOnly) problems.push('no blank line after the header section (no body, or not a message)');
  if (headers.fields.length > 0 && !headers.has('from') && !headers.has('content-type') && !headers.has('subject')) {
    problems.push('neither From, Subject nor Content-Type: probably not a mail message');
  }

  const { signed, content } = readSigned(tree, problems);
  const unclosed = (node: MimeNode) => [...walk(node)].some((n) => n.closed === false);

  const result = emptyParse(raw, problems);
  result.headers = headers;
  const subject = headers.get('subject');
  result.subject = subject === undefined ? null : decodeWords(subject);
  result.from = parseAddressList(headers.get('from'))[0] ?? null;
  result.to = parseAddressList(headers.get('to'));
  result.cc = parseAddressList(headers.get('cc'));
  result.date = headers.get('date') ?? null;
  result.tipoRicevuta = headers.get('x-tiporicevuta')?.trim() ?? null;
  result.signed = signed;
  result.truncated = unclosed(tree) || (content !== tree && unclosed(content));
  readParts(content, depth, result);

  if (result.daticertXml) {
    const reading = parseDaticert(result.daticertXml);
    if (reading.ok) result.daticert = reading.daticert;
    else problems.push(`daticert.xml unreadable: ${reading.error}`);
    problems.push(...reading.problems.map((problem) => `daticert.xml: ${problem}`));
  }

  const classification = classify(headers, result.subject, result.daticert, result.text);
  result.kind = classification.kind;
  result.variant = classification.variant;
  result.witnesses = classification.witnesses;
  if (classification.flavour) result.flavour = classification.flavour;
  if (classification.errore) result.errore = classification.errore;
  problems.push(...classification.problems);

  result.ids = {
    messageId: messageId(headers.get('message-id')),
    riferimentoMessageId: messageId(headers.get('x-riferimento-message-id')),
    identificativo: result.daticert?.identificativo || null,
    msgid: result.daticert?.msgid || null,
  };
  return result;
}

/** Finds the signed entity and the CMS bytes; returns the tree whose parts carry the content. */
function readSigned(tree: MimeNode, problems: string[]): { signed: SignedParts | null; content: MimeNode } {
  const { mediaType, params } = tree.entity.contentType;
  if (mediaType === 'multipart/signed') {
    const [first, second] = tree.children;
    if (!first) {
      problems.push('multipart/signed without body parts');
      return { signed: null, content: tree };
    }
    const signed: SignedParts = {
      form: 'multipart/signed',
      protocol: params.protocol?.toLowerCase() ?? null,
      micalg: params.micalg?.toLowerCase() ?? null,
      content: first.entity.raw,
      signature: null,
      signatureEncoding: null,
    };
    if (!signed.protocol) problems.push('multipart/signed without a protocol parameter');
    if (!second) problems.push('multipart/signed has no signature part');
    else {
      const sigType = second.entity.contentType.mediaType;
      if (!/^application\/(x-)?pkcs7-signature$/.test(sigType)) problems.push(`signature part is ${sigType}, not application/pkcs7-signature`);
      const decoded = decodeTransfer(second.entity.body, second.entity.transferEncoding);
      const der = p7mToDer(decoded);
      if (der) {
        signed.signature = der.der;
        signed.signatureEncoding = der.encoding;
      } else problems.push('signature part does not hold a CMS structure (DER, PEM or base64)');
    }
    if (tree.children.length > 2) problems.push(`multipart/signed has ${tree.children.length} body parts, expected 2`);
    return { signed, content: first };
  }
  if (/^application\/(x-)?pkcs7-mime$/.test(mediaType) || /\.p7m$/i.test(fileNameOf(tree.entity) ?? '')) {
    const decoded = decodeTransfer(tree.entity.body, tree.entity.transferEncoding);
    const der = p7mToDer(decoded);
    if (!der) {
      problems.push(`${mediaType} body is not a CMS structure`);
      return { signed: null, content: tree };
    }
    try {
      const shape = readSignedData(der.der);
      if (!shape.content) {
        problems.push(`${mediaType} SignedData has no encapsulated content`);
        return { signed: null, content: tree };
      }
      const signed: SignedParts = {
        form: 'pkcs7-mime',
        protocol: null,
        micalg: null,
        content: shape.content,
        signature: der.der,
        signatureEncoding: der.encoding,
      };
      return { signed, content: mimeTree(shape.content, problems, '1') };
    } catch (error) {
      problems.push(`${mediaType}: ${(error as Error).message}`);
      return { signed: null, content: tree };
    }
  }
  return { signed: null, content: tree };
}

function readParts(content: MimeNode, depth: number, result: ParsedPec): void {
  const problems = result.problems;
  for (const node of walk(content)) {
    const entity = node.entity;
    const mediaType = entity.contentType.mediaType;
    if (mediaType.startsWith('multipart/')) continue;
    const filename = fileNameOf(entity) ?? null;
    const lowerName = filename?.toLowerCase() ?? '';
    const isAttachment = entity.disposition.type === 'attachment';

    if (lowerName === 'daticert.xml' || (/^(application|text)\/xml$/.test(mediaType) && lowerName.startsWith('daticert'))) {
      if (result.daticertXml) problems.push(`second daticert.xml at part ${node.path} ignored`);
      else result.daticertXml = decodeTransfer(entity.body, entity.transferEncoding);
      continue;
    }
    if (mediaType === 'message/rfc822' || (lowerName.endsWith('.eml') && node !== content)) {
      const bytes = decodeTransfer(entity.body, entity.transferEncoding);
      const embedded: EmbeddedMessage = {
        path: node.path,
        filename,
        raw: bytes,
        parsed: depth + 1 >= MAX_DEPTH ? emptyParse(bytes, [`nested deeper than ${MAX_DEPTH} messages: not parsed`]) : parseAt(bytes, depth + 1),
      };
      if (lowerName === 'postacert.eml' && !result.postacert) result.postacert = embedded;
      else {
        if (lowerName === 'postacert.eml') problems.push(`second postacert.eml at part ${node.path}`);
        result.embedded.push(embedded);
      }
      continue;
    }
    if (!isAttachment && !filename && mediaType === 'text/plain' && result.text === null) {
      result.text = decodeText(decodeTransfer(entity.body, entity.transferEncoding), entity.contentType.params.charset);
      continue;
    }
    if (!isAttachment && !filename && mediaType === 'text/html' && result.html === null) {
      result.html = decodeText(decodeTransfer(entity.body, entity.transferEncoding), entity.contentType.params.charset);
      continue;
    }
    if (node === content && !filename && !isAttachment) continue; // a single-part body that is not text
    const decoded = decodeTransfer(entity.body, entity.transferEncoding);
    const info: AttachmentInfo = { path: node.path, filename, mediaType, size: decoded.length };
    if (/\.p7m$/i.test(lowerName) || /pkcs7-mime$/.test(mediaType)) {
      const der = p7mToDer(decoded);
      if (der) info.p7m = der.encoding;
    }
    result.attachments.push(info);
  }
}

/** Every PEC message found inside `parsed` (postacert and attached messages, depth first), itself excluded. */
export function nestedMessages(parsed: ParsedPec): EmbeddedMessage[] {
  const out: EmbeddedMessage[] = [];
  const visit = (p: ParsedPec) => {
    for (const m of [...(p.postacert ? [p.postacert] : []), ...p.embedded]) {
      out.push(m);
      visit(m.parsed);
    }
  };
  visit(parsed);
  return out;
}
