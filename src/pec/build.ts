// The one entry point the gestore engine calls: a PEC message of any kind, complete and signed.
// It decides what goes inside (notice, daticert.xml, the original in full or breve form, per kind
// and flavour), lays out the MIME tree of pec-rules §3 with CRLF lines, and hands the exact bytes
// of the multipart/mixed part to the signer. Pure: time and randomness arrive in the context.

import { isAscii } from 'node:buffer';
import { breveOriginal } from './breve.js';
import { buildDaticert } from './daticert.js';
import { datiCertificazione, effectiveErrore, effectiveErroreEsteso, effectiveTipo } from './dati-certificazione.js';
import { envelopeHeaders } from './envelope.js';
import { newProviderMessageId } from './identificativo.js';
import { kindSpec, type KindSpec } from './kinds.js';
import { base64Lines, leafEntity, multipartEntity, withCrlf } from './mime-entity.js';
import { isAddress } from './mime-headers.js';
import { buildNotice, type Notice } from './notice.js';
import { readOriginal } from './original.js';
import { signMime } from './smime.js';
import type {
  DaticertErrore, DaticertTipo, Dialect, GestoreIdentity, IdSource, MessageFacts, PecKind, ReceiptFlavour,
} from './types.js';

export interface BuildContext {
  /** the emitting gestore: name, mail domain, dialect, signer */
  gestore: GestoreIdentity;
  /** event time, ms since the epoch: Date header, daticert data, signingTime */
  at: number;
  ids: IdSource;
}

export interface PecRequest {
  kind: PecKind;
  /** certification facts of the original message */
  facts: MessageFacts;
  /** To of the emitted message (bare address); the busta and the anomalia keep the original To/Cc instead */
  to: string;
  /** avvenuta-consegna, errore-consegna*, preavviso-12h, errore-24h: the recipient concerned */
  consegna?: string;
  /** presa-in-carico, rilevazione-virus: the recipients concerned */
  ricezione?: string[];
  /** errore-consegna: no-dest | no-dominio | altro (default altro); the virus kinds set their own */
  errore?: DaticertErrore;
  /** e.g. `5.1.1 - Beta Certificata S.r.l. (TEST) - indirizzo non valido` */
  erroreEsteso?: string;
  /** the accepted original (Message-ID rewritten): required for busta and anomalia, and for completa / breve receipts */
  original?: Buffer;
  /** avvenuta-consegna flavour; default facts.ricevuta */
  flavour?: ReceiptFlavour;
  /** avvenuta-consegna completa / breve: Cc recipients get no original (rules); default: from facts.to */
  recipientHeader?: 'to' | 'cc';
  /** provider quirk: daticert without msgid */
  omitMsgid?: boolean;
  /** provider quirk: another daticert tipo (X-Ricevuta follows it), e.g. definitive failures as preavviso */
  tipoOverride?: DaticertTipo;
  /** provider quirk: text put before errore-esteso as given, e.g. `5.4.1 - ` */
  erroreEstesoPrefix?: string;
}

export interface BuiltPecMessage {
  /** the complete signed message, CRLF lines */
  raw: Buffer;
  /** its Message-ID, with angle brackets */
  messageId: string;
}

const CRLF = '\r\n';

/** The original that travels with the message, in the form the kind and flavour ask for; null when none. */
function attachedOriginal(req: PecRequest, spec: KindSpec, dialect: Dialect): Buffer | null {
  if (spec.original === 'never') return null;
  if (spec.original === 'always') {
    if (!req.original) throw new Error(`${req.kind}: the original message is required`);
    return req.original;
  }
  const flavour = req.flavour ?? req.facts.ricevuta;
  if (flavour === 'sintetica') return null;
  const consegna = (req.consegna ?? '').toLowerCase();
  const header = req.recipientHeader ?? (req.facts.to.some((a) => a.toLowerCase() === consegna) ? 'to' : 'cc');
  if (header === 'cc') return null;
  if (!req.original) throw new Error(`${req.kind} ${flavour}: the original message is required`);
  return flavour === 'breve' ? breveOriginal(req.original, dialect.breveHash).message : req.original;
}

// Latin-1 dialect: characters it cannot carry become '?' in text and character references in HTML
function latin1(text: string, html: boolean): Buffer {
  const mapped = text.replace(/[^\u0000-\u00ff]/gu, (c) => (html ? `&#${c.codePointAt(0)};` : '?'));
  return Buffer.from(mapped, 'latin1');
}

function textPart(type: 'text/plain' | 'text/html', text: string, dialect: Dialect): Buffer {
  const body = dialect.textCharset === 'iso-8859-1' ? latin1(text, type === 'text/html') : Buffer.from(text, 'utf8');
  return leafEntity(`${type}; charset=${dialect.textCharset}`, dialect.textEncoding, body);
}

function attachmentHead(contentType: string, name: string, disposition: 'inline' | 'attachment', extra = ''): string {
  return `Content-Type: ${contentType}; name="${name}"${CRLF}${extra}Content-Disposition: ${disposition}; filename="${name}"${CRLF}${CRLF}`;
}

/** multipart/mixed: alternative(text, html), daticert.xml, postacert.eml — CRLF lines throughout. */
function innerEntity(baseBoundary: string, dialect: Dialect, notice: Notice, daticert: string | null, original: Buffer | null): Buffer {
  // The boundaries keep the names nodemailer's MimeNode gave them when it wrote this part
  // (prefix, base, node number), so that the bytes of a seeded build stay what they were.
  const boundary = (node: number) => `--_PEC-${baseBoundary}-Part_${node}`;
  const parts = [
    multipartEntity('multipart/alternative', boundary(3), [
      textPart('text/plain', notice.text, dialect),
      textPart('text/html', notice.html, dialect),
    ]),
  ];
  if (daticert !== null) {
    parts.push(Buffer.from(
      attachmentHead('application/xml', 'daticert.xml', 'inline', `Content-Transfer-Encoding: base64${CRLF}`) + base64Lines(Buffer.from(daticert, 'utf8')),
      'latin1',
    ));
  }
  if (original !== null) {
    // rules §3 mark daticert inline, not postacert: as an attachment, mail readers and consumers'
    // MIME libraries list it instead of merging the original into the notice text
    const eightBit = !isAscii(original);
    parts.push(Buffer.concat([
      Buffer.from(attachmentHead('message/rfc822', 'postacert.eml', 'attachment', eightBit ? `Content-Transfer-Encoding: 8bit${CRLF}` : ''), 'latin1'),
      original,
    ]));
  }
  return withCrlf(multipartEntity('multipart/mixed', boundary(2), parts));
}

function assertAddress(what: string, value: string | undefined): void {
  if (value !== undefined && !isAddress(value)) throw new Error(`${what}: not an address: ${JSON.stringify(value)}`);
}

/** Builds and signs one PEC message of any kind. Throws on requests that contradict the catalogue. */
export async function buildPecMessage(ctx: BuildContext, req: PecRequest): Promise<BuiltPecMessage> {
  const spec = kindSpec(req.kind);
  const { gestore, at, ids } = ctx;
  const { dialect } = gestore;
  assertAddress('to', req.to);
  assertAddress('consegna', req.consegna);
  req.ricezione?.forEach((r) => assertAddress('ricezione', r));

  const daticert = datiCertificazione(gestore.name, dialect, at, req);
  const tipo = effectiveTipo(req, dialect);
  const original = attachedOriginal(req, spec, dialect);
  const notice = buildNotice({
    kind: req.kind,
    facts: req.facts,
    at,
    consegna: req.consegna,
    ricezione: req.ricezione,
    errore: spec.tipo === null ? undefined : effectiveErrore(req),
    erroreEsteso: effectiveErroreEsteso(req),
    identificativo: req.kind === 'anomalia' ? (req.facts.msgid ?? req.facts.identificativo) : req.facts.identificativo,
  }, dialect.textCharset);

  // fixed order of draws from ids: the same seed gives the same bytes
  const baseBoundary = ids.token(24);
  const generatedId = newProviderMessageId(at, ids, gestore.mailDomain);
  const messageId = req.kind === 'posta-certificata'
    ? `<${req.facts.identificativo}>`
    : req.kind === 'anomalia' ? (req.facts.msgid ?? generatedId) : generatedId;

  const inner = innerEntity(baseBoundary, dialect, notice, daticert && buildDaticert(daticert), original);
  const headers = envelopeHeaders({
    spec,
    tipo,
    facts: req.facts,
    dialect,
    mailDomain: gestore.mailDomain,
    at,
    messageId,
    to: req.to,
    original: spec.original === 'always' && req.original ? readOriginal(req.original) : null,
  });
  const raw = await signMime(inner, headers, { signer: gestore.signer, dialect, at, boundary: `_PEC-S-${baseBoundary}` });
  return { raw, messageId };
}
