// The human-readable Italian notice of every kind, in the providers' layout (pec-rules §3): a title
// line, a sentence with day, time and zone, subject, sender and recipients (labelled "posta
// certificata" / "posta ordinaria"), then `Identificativo del messaggio: <id>`. Rendered as text
// and as HTML from one structure; everything taken from the original is HTML-escaped.

import { kindSpec } from './kinds.js';
import { daticertData } from './time.js';
import type { DaticertErrore, Destinatario, MessageFacts, PecKind } from './types.js';

export interface NoticeInput {
  kind: PecKind;
  facts: MessageFacts;
  /** event time */
  at: number;
  consegna?: string;
  ricezione?: string[];
  errore?: DaticertErrore;
  erroreEsteso?: string | null;
  /** the id shown at the end; default facts.identificativo */
  identificativo?: string;
}

export interface Notice {
  title: string;
  text: string;
  html: string;
}

type Line = string;
/** paragraphs of lines: the title is the first paragraph */
type Layout = Line[][];

function label(tipo: Destinatario['tipo']): string {
  return tipo === 'certificato' ? '("posta certificata")' : '("posta ordinaria")';
}

function recipientLines(list: Destinatario[]): Line[] {
  return list.length ? list.map((d) => `${d.address} ${label(d.tipo)}`) : ['(nessun destinatario valido)'];
}

function tipoOf(facts: MessageFacts, address: string): Destinatario['tipo'] {
  const lower = address.toLowerCase();
  return facts.destinatari.find((d) => d.address.toLowerCase() === lower)?.tipo ?? 'certificato';
}

function listOf(facts: MessageFacts, addresses: string[]): Destinatario[] {
  return addresses.map((address) => ({ address, tipo: tipoOf(facts, address) }));
}

const ERRORE_TEXT: Record<DaticertErrore, string> = {
  nessuno: 'nessun errore',
  'no-dest': 'destinatario non valido o casella inesistente',
  'no-dominio': 'dominio del destinatario inesistente o non servito',
  virus: 'il messaggio contiene un virus',
  altro: 'errore di consegna',
};

function layout(input: NoticeInput): Layout {
  const { facts } = input;
  const spec = kindSpec(input.kind);
  const { giorno, ora, zona } = daticertData(input.at);
  const when = `Il giorno ${giorno} alle ore ${ora} (${zona})`;
  const message = `"${facts.oggetto}" proveniente da "${facts.mittente}"`;
  const consegna = input.consegna ?? '';
  const reason = input.erroreEsteso || ERRORE_TEXT[input.errore ?? 'altro'];
  let body: Layout;
  switch (input.kind) {
    case 'accettazione':
      body = [[`${when} il messaggio`, message, 'ed indirizzato a:', ...recipientLines(facts.destinatari), 'è stato accettato dal sistema ed inoltrato.']];
      break;
    case 'non-accettazione':
      body = [[`${when} nel messaggio`, message, 'ed indirizzato a:', ...recipientLines(facts.destinatari),
        'è stato rilevato un problema che ne impedisce l\'accettazione a causa di:', reason, 'Il messaggio non è stato accettato.']];
      break;
    case 'non-accettazione-virus':
      body = [[`${when} nel messaggio`, message, 'ed indirizzato a:', ...recipientLines(facts.destinatari),
        'è stato rilevato un problema di sicurezza (virus):', reason, 'Il messaggio non è stato accettato.']];
      break;
    case 'posta-certificata':
      body = [[`${when} il messaggio`, `"${facts.oggetto}" è stato inviato da "${facts.mittente}"`, 'indirizzato a:', ...recipientLines(facts.destinatari)],
        ['Il messaggio originale è incluso in allegato.']];
      break;
    case 'presa-in-carico':
      body = [[`${when} il messaggio`, message, 'ed indirizzato a:', ...recipientLines(listOf(facts, input.ricezione ?? [])),
        'è stato preso in carico dal gestore di posta certificata dei destinatari.']];
      break;
    case 'anomalia':
      body = [[`${when} è stato ricevuto il messaggio`, message, 'ed indirizzato a:', ...recipientLines(facts.destinatari),
        'Il messaggio non è un messaggio di posta certificata valido: il suo contenuto e i suoi dati non sono certificati.'],
        ['Il messaggio originale è incluso in allegato.']];
      break;
    case 'rilevazione-virus':
      body = [[`${when} nel messaggio`, message, 'ed indirizzato a:', ...recipientLines(listOf(facts, input.ricezione ?? [])),
        'è stato rilevato un problema di sicurezza (virus):', reason, 'Il messaggio non è stato consegnato.']];
      break;
    case 'errore-consegna-virus':
      body = [[`${when} il messaggio`, message, `ed indirizzato a "${consegna}"`,
        'non è stato consegnato perché è stato rilevato un problema di sicurezza (virus):', reason]];
      break;
    case 'avvenuta-consegna':
      body = [[`${when} il messaggio`, message, `ed indirizzato a "${consegna}"`, 'è stato consegnato nella casella di destinazione.']];
      break;
    case 'errore-consegna':
      body = [[`${when} nel messaggio`, message, `ed indirizzato a "${consegna}"`, 'si è verificato un errore di consegna:', reason,
        'Il messaggio non è stato consegnato.']];
      break;
    case 'preavviso-12h':
      body = [[`${when} il messaggio`, message, `ed indirizzato a "${consegna}"`,
        'non risulta ancora consegnato: nelle prime 12 ore dall\'invio il gestore del destinatario non ha confermato la consegna.',
        ...(input.erroreEsteso ? [input.erroreEsteso] : []), 'Il sistema proverà a consegnarlo fino a 24 ore dall\'invio.']];
      break;
    case 'errore-24h':
      body = [[`${when} il messaggio`, message, `ed indirizzato a "${consegna}"`,
        'non è stato consegnato entro le 24 ore previste (superamento dei tempi massimi).', ...(input.erroreEsteso ? [input.erroreEsteso] : [])]];
      break;
  }
  return [[spec.title], ...body, [`Identificativo del messaggio: ${input.identificativo ?? facts.identificativo}`]];
}

function toText(doc: Layout): string {
  return doc.map((para) => para.join('\r\n')).join('\r\n\r\n') + '\r\n';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

// a line break inside a line (an odd subject) must not break the layout of either rendering
function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, ' ');
}

function toHtml(doc: Layout, charset: string): string {
  const [[title], ...paras] = doc;
  const body = paras.map((para) => `<p>${para.map((l) => escapeHtml(oneLine(l))).join('<br />\r\n')}</p>`).join('\r\n');
  return [
    '<!DOCTYPE html>',
    `<html lang="it"><head><meta http-equiv="Content-Type" content="text/html; charset=${charset}" />`,
    `<title>${escapeHtml(title)}</title></head>`,
    `<body><h3>${escapeHtml(title)}</h3>`,
    body,
    '</body></html>',
    '',
  ].join('\r\n');
}

/** The notice of one message: title, text/plain body and text/html body (lines end CRLF). */
export function buildNotice(input: NoticeInput, charset = 'utf-8'): Notice {
  const doc = layout(input).map((para) => para.map(oneLine));
  return { title: doc[0][0], text: toText(doc), html: toHtml(doc, charset) };
}
