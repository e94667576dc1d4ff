// A stored message as JSON for the API and the UI: the indexed summary, and the full reading
// (headers, MIME tree, daticert, signature verdict, the original inside postacert.eml). Parts are
// numbered like IMAP sections: `1.3` is a part, `1.3.2` a part of the message inside part 1.3.
import { parsePec, type AttachmentInfo, type EmbeddedMessage, type ParsedPec } from '../pec/parse.js';
import { decodeTransfer, fileNameOf, mimeTree, type MimeNode } from '../pec/mime-split.js';
import { verifyPec, type PecVerdict } from '../pec/verify.js';
import type { Mailbox } from '../pec/mime-headers.js';
import type { MessageHit, MessageMeta, MessageRecord, Store } from '../store/types.js';
import type { ProviderIndex as TopologyIndex } from '../topology/igpec.js';
import { notFound } from './errors.js';

export interface MessageSummary extends MessageMeta {
  id: number;
  mailbox: string;
  folder: string;
  uid: number;
  flags: string[];
  seen: boolean;
  /** when it was stored (virtual clock), ISO 8601 */
  internalDate: string;
  size: number;
}

export function summaryOf(hit: MessageHit): MessageSummary {
  return {
    id: hit.id,
    mailbox: hit.address,
    folder: hit.folder,
    uid: hit.uid,
    flags: hit.flags,
    seen: hit.flags.includes('\\Seen'),
    internalDate: new Date(hit.internalDate).toISOString(),
    size: hit.size,
    kind: hit.kind,
    refMessageId: hit.refMessageId,
    identificativo: hit.identificativo,
    messageId: hit.messageId,
    subject: hit.subject,
    from: hit.from,
  };
}

/** the message with its mailbox and folder, or 404 */
export function messageHit(store: Store, id: number): MessageHit {
  const record: MessageRecord | undefined = store.getMessage(id);
  const folder = record && store.getFolderById(record.folderId);
  if (!record || !folder) throw notFound(`no message with id ${id}`);
  return { ...record, address: folder.address, folder: folder.name };
}

export interface MimePartJson {
  path: string;
  mediaType: string;
  params: Record<string, string>;
  disposition: string | null;
  filename: string | null;
  transferEncoding: string;
  /** decoded size of a leaf, bytes of the entity for a multipart */
  size: number;
  children: MimePartJson[];
  /** message/rfc822 parts: the tree of the message inside */
  message?: MimePartJson;
}

const MAX_TREE_DEPTH = 6;

export function mimeTreeJson(raw: Buffer, path = '', depth = 0): MimePartJson {
  return nodeJson(mimeTree(raw, [], path), depth);
}

function nodeJson(node: MimeNode, depth: number): MimePartJson {
  const { entity } = node;
  const leaf = node.children.length === 0;
  const decoded = leaf ? decodeTransfer(entity.body, entity.transferEncoding) : null;
  const out: MimePartJson = {
    path: node.path,
    mediaType: entity.contentType.mediaType,
    params: entity.contentType.params,
    disposition: entity.headers.has('content-disposition') ? entity.disposition.type : null,
    filename: fileNameOf(entity) ?? null,
    transferEncoding: entity.transferEncoding,
    size: decoded ? decoded.length : entity.raw.length,
    children: node.children.map((child) => nodeJson(child, depth)),
  };
  if (decoded && entity.contentType.mediaType === 'message/rfc822' && depth < MAX_TREE_DEPTH) {
    out.message = mimeTreeJson(decoded, node.path, depth + 1);
  }
  return out;
}

export interface ResolvedPart {
  path: string;
  mediaType: string;
  filename: string | null;
  content: Buffer;
}

/** IMAP-style section lookup: descends into message/rfc822 parts when the path goes on */
export function resolvePart(raw: Buffer, path: string): ResolvedPart | null {
  if (!/^[1-9]\d*(\.[1-9]\d*)*$/.test(path)) return null;
  const segments = path.split('.').map(Number);
  let node = mimeTree(raw, [], '');
  for (let i = 0; i < segments.length; i++) {
    if (i > 0 && node.entity.contentType.mediaType === 'message/rfc822') {
      node = mimeTree(decodeTransfer(node.entity.body, node.entity.transferEncoding), [], node.path);
    }
    if (node.children.length === 0) {
      // a single-part message has one section, 1: its own body
      if (segments[i] !== 1) return null;
      continue;
    }
    const child = node.children[segments[i] - 1];
    if (!child) return null;
    node = child;
  }
  return {
    path,
    mediaType: node.entity.contentType.mediaType,
    filename: fileNameOf(node.entity) ?? null,
    content: decodeTransfer(node.entity.body, node.entity.transferEncoding),
  };
}

export interface EmbeddedJson {
  path: string;
  filename: string | null;
  size: number;
  kind: string | null;
  subject: string | null;
  from: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  date: string | null;
  headers: Array<{ name: string; value: string }>;
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
  postacert: EmbeddedJson | null;
}

/** a section path below `base` ('' = top level); a single-part root's own body is section 1 */
function sectionBelow(base: string, path: string): string {
  const own = path === '' ? '1' : path;
  return base ? `${base}.${own}` : own;
}

function attachmentsBelow(base: string, attachments: AttachmentInfo[]): AttachmentInfo[] {
  return attachments.map((a) => ({ ...a, path: sectionBelow(base, a.path) }));
}

function embeddedJson(e: EmbeddedMessage, depth = 0): EmbeddedJson {
  const p = e.parsed;
  return {
    path: e.path,
    filename: e.filename,
    size: e.raw.length,
    kind: p.kind,
    subject: p.subject,
    from: p.from,
    to: p.to,
    cc: p.cc,
    date: p.date,
    headers: p.headers.fields.map(({ name, value }) => ({ name, value })),
    text: p.text,
    html: p.html,
    attachments: attachmentsBelow(e.path, p.attachments),
    postacert: p.postacert && depth < MAX_TREE_DEPTH ? embeddedJson({ ...p.postacert, path: `${e.path}.${p.postacert.path}` }, depth + 1) : null,
  };
}

export interface MessageDetail extends MessageSummary {
  headers: Array<{ name: string; value: string }>;
  date: string | null;
  fromAddress: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  pec: {
    kind: string | null;
    variant: string | null;
    flavour: string | null;
    errore: string | null;
    tipoRicevuta: string | null;
    ids: ParsedPec['ids'];
  };
  text: string | null;
  html: string | null;
  daticert: ParsedPec['daticert'];
  signature: PecVerdict['signature'];
  verdict: Pick<PecVerdict, 'valid' | 'checks' | 'reasons' | 'warnings'>;
  attachments: AttachmentInfo[];
  postacert: EmbeddedJson | null;
  embedded: EmbeddedJson[];
  mime: MimePartJson;
  problems: string[];
}

/** the verifier's view of the providers' index: SHA-1 fingerprint -> provider */
export function verifierIndex(index: TopologyIndex): Map<string, { providerName: string; managedDomains: string[] }> {
  return new Map(index.entries.map((e) => [e.providerCertificateHash, { providerName: e.providerName, managedDomains: [...e.managedDomains] }]));
}

export function messageDetail(store: Store, hit: MessageHit, trust: { caPem: string; index: TopologyIndex }): MessageDetail {
  const raw = store.getRaw(hit.id);
  const parsed = parsePec(raw);
  const verdict = verifyPec(raw, { trustedCaPem: [trust.caPem], index: verifierIndex(trust.index) });
  return {
    ...summaryOf(hit),
    headers: parsed.headers.fields.map(({ name, value }) => ({ name, value })),
    date: parsed.date,
    fromAddress: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    pec: {
      kind: parsed.kind,
      variant: parsed.variant,
      flavour: parsed.flavour ?? null,
      errore: parsed.errore ?? null,
      tipoRicevuta: parsed.tipoRicevuta,
      ids: parsed.ids,
    },
    text: parsed.text,
    html: parsed.html,
    daticert: parsed.daticert,
    signature: verdict.signature,
    verdict: { valid: verdict.valid, checks: verdict.checks, reasons: verdict.reasons, warnings: verdict.warnings },
    attachments: attachmentsBelow('', parsed.attachments),
    postacert: parsed.postacert ? embeddedJson(parsed.postacert) : null,
    embedded: parsed.embedded.map((e) => embeddedJson(e)),
    mime: mimeTreeJson(raw),
    problems: parsed.problems,
  };
}
