// The header section of every provider-generated message (pec-rules §2): From, To, Subject with the
// kind's exact prefix, Date, Message-ID, X-Riferimento-Message-ID, marker headers — plus, for the
// busta di trasporto and the busta di anomalia, the original's To / Cc / Received / Reply-To and
// the `Per conto di:` From. MIME-Version and Content-Type are the signer's (smime.ts).

import { addressField, field, rawField, subjectField } from './header-lines.js';
import { markersFor, type KindSpec } from './kinds.js';
import type { OriginalSummary } from './original.js';
import { rfc5322Date } from './time.js';
import type { DaticertTipo, Dialect, MessageFacts } from './types.js';

export interface EnvelopeInput {
  spec: KindSpec;
  /** daticert tipo written (drives X-Ricevuta), null for anomalia */
  tipo: DaticertTipo | null;
  facts: MessageFacts;
  dialect: Dialect;
  mailDomain: string;
  at: number;
  /** the message's own Message-ID, with angle brackets */
  messageId: string;
  /** To of receipts and notices (bare address) */
  to: string;
  /** busta / anomalia: the original's header fields */
  original: OriginalSummary | null;
}

/** `posta-certificata@<domain>`: sender of every message a gestore generates. */
export function providerAddress(mailDomain: string): string {
  return `posta-certificata@${mailDomain}`;
}

/**
 * X-Riferimento-Message-ID: the client's Message-ID; when the client sent none, the identificativo
 * (testbed choice: it is the Message-ID the accepted original carries, so correlation still works).
 */
export function riferimentoMessageId(facts: MessageFacts): string {
  return facts.msgid ?? `<${facts.identificativo}>`;
}

function copiedAddressFields(input: EnvelopeInput): string {
  const { original, facts } = input;
  let out = '';
  out += original?.headers.replyTo != null ? rawField('Reply-To', original.headers.replyTo) : addressField('Reply-To', { address: facts.mittente });
  out += original?.headers.to != null ? rawField('To', original.headers.to) : addressField('To', facts.to.map((address) => ({ address })));
  if (original?.headers.cc != null) out += rawField('Cc', original.headers.cc);
  return out;
}

/** The header fields (each ending CRLF, Latin-1 string) of one provider-generated message. */
export function envelopeHeaders(input: EnvelopeInput): string {
  const { spec, facts } = input;
  const from = providerAddress(input.mailDomain);
  const markers = markersFor(spec, input.tipo).map((m) => field(m.name, m.value)).join('');
  let out = '';
  switch (spec.kind) {
    case 'posta-certificata': {
      // trace fields first, as they were
      for (const received of input.original?.headers.received ?? []) out += rawField('Received', received);
      out += field('Date', rfc5322Date(input.at));
      out += addressField('From', { name: `Per conto di: ${facts.mittente}`, address: from });
      out += copiedAddressFields(input);
      out += subjectField(spec.subjectPrefix, facts.oggetto);
      out += field('Message-ID', input.messageId);
      out += field('X-Riferimento-Message-ID', riferimentoMessageId(facts));
      out += markers;
      const tipoRicevuta = input.original?.headers.tipoRicevuta;
      if (tipoRicevuta != null) out += rawField(input.dialect.tipoRicevutaHeader, tipoRicevuta);
      return out;
    }
    case 'anomalia':
      out += field('Date', rfc5322Date(input.at));
      out += addressField('From', { name: `Per conto di: ${facts.mittente}`, address: from });
      out += copiedAddressFields(input);
      out += subjectField(spec.subjectPrefix, facts.oggetto);
      out += field('Message-ID', input.messageId);
      if (facts.msgid) out += field('X-Riferimento-Message-ID', facts.msgid);
      out += markers;
      return out;
    default:
      out += field('Date', rfc5322Date(input.at));
      out += addressField('From', { address: from });
      out += addressField('To', { address: input.to });
      out += subjectField(spec.subjectPrefix, facts.oggetto);
      out += field('Message-ID', input.messageId);
      out += field('X-Riferimento-Message-ID', riferimentoMessageId(facts));
      out += markers;
      if (spec.kind === 'rilevazione-virus') out += field('X-Mittente', facts.mittente);
      return out;
  }
}
