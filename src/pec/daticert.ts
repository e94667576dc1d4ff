// daticert.xml (pec-rules §5): the DTD as the one shared text, the writer (UTF-8, no DOCTYPE,
// element order of the DTD, everything escaped) and a tolerant reader for files from anywhere
// (attribute defaults, whitespace, CRLF, Latin-1 declarations, a DOCTYPE or BOM) that reports
// what it could not understand instead of throwing.

import { parseXml, type XmlElement } from './parse-xml.js';
import type {
  Daticert, DaticertErrore, DaticertTipo, Destinatario, ReceiptFlavour,
} from './types.js';

/** The daticert DTD of pec-rules §5, verbatim: feed it to `xmllint --dtdvalid`. */
export const DATICERT_DTD = `<!ELEMENT postacert (intestazione, dati)>
<!ATTLIST postacert
  tipo (accettazione | non-accettazione | presa-in-carico | avvenuta-consegna |
        posta-certificata | errore-consegna | preavviso-errore-consegna | rilevazione-virus) #REQUIRED
  errore (nessuno | no-dest | no-dominio | virus | altro) "nessuno">
<!ELEMENT intestazione (mittente, destinatari+, risposte, oggetto?)>
<!ELEMENT mittente (#PCDATA)>
<!ELEMENT destinatari (#PCDATA)>
<!ATTLIST destinatari tipo (certificato | esterno) "certificato">
<!ELEMENT risposte (#PCDATA)>
<!ELEMENT oggetto (#PCDATA)>
<!ELEMENT dati (gestore-emittente, data, identificativo, msgid?, ricevuta?, consegna?, ricezione*, errore-esteso?)>
<!ELEMENT gestore-emittente (#PCDATA)>
<!ELEMENT data (giorno, ora)>
<!ATTLIST data zona CDATA #REQUIRED>
<!ELEMENT giorno (#PCDATA)>
<!ELEMENT ora (#PCDATA)>
<!ELEMENT identificativo (#PCDATA)>
<!ELEMENT msgid (#PCDATA)>
<!ELEMENT ricevuta EMPTY>
<!ATTLIST ricevuta tipo (completa | breve | sintetica) "completa">
<!ELEMENT consegna (#PCDATA)>
<!ELEMENT ricezione (#PCDATA)>
<!ELEMENT errore-esteso (#PCDATA)>
`;

export const DATICERT_TIPI: readonly DaticertTipo[] = [
  'accettazione', 'non-accettazione', 'presa-in-carico', 'avvenuta-consegna',
  'posta-certificata', 'errore-consegna', 'preavviso-errore-consegna', 'rilevazione-virus',
];
export const DATICERT_ERRORI: readonly DaticertErrore[] = ['nessuno', 'no-dest', 'no-dominio', 'virus', 'altro'];
export const RECEIPT_FLAVOURS: readonly ReceiptFlavour[] = ['completa', 'breve', 'sintetica'];

// Characters XML 1.0 cannot carry at all, not even as references: dropped. Lone surrogates too.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for element content and double-quoted attributes. CR is kept as a reference (parsers normalise a literal one away). */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#13;');
}

const EOL = '\r\n';

/** Serialises a daticert: UTF-8 text with the XML declaration, no DOCTYPE, DTD element order. */
export function buildDaticert(d: Daticert): string {
  const e = escapeXml;
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<postacert tipo="${e(d.tipo)}" errore="${e(d.errore)}">`);
  lines.push('  <intestazione>');
  lines.push(`    <mittente>${e(d.mittente)}</mittente>`);
  // destinatari+ : a message refused for having no valid recipient still needs one element
  const destinatari: Destinatario[] = d.destinatari.length ? d.destinatari : [{ address: '', tipo: 'esterno' }];
  for (const dest of destinatari) lines.push(`    <destinatari tipo="${e(dest.tipo)}">${e(dest.address)}</destinatari>`);
  lines.push(`    <risposte>${e(d.risposte)}</risposte>`);
  if (d.oggetto !== null) lines.push(`    <oggetto>${e(d.oggetto)}</oggetto>`);
  lines.push('  </intestazione>');
  lines.push('  <dati>');
  lines.push(`    <gestore-emittente>${e(d.gestoreEmittente)}</gestore-emittente>`);
  lines.push(`    <data zona="${e(d.data.zona)}">`);
  lines.push(`      <giorno>${e(d.data.giorno)}</giorno>`);
  lines.push(`      <ora>${e(d.data.ora)}</ora>`);
  lines.push('    </data>');
  lines.push(`    <identificativo>${e(d.identificativo)}</identificativo>`);
  if (d.msgid !== null) lines.push(`    <msgid>${e(d.msgid)}</msgid>`);
  if (d.ricevuta !== null) lines.push(`    <ricevuta tipo="${e(d.ricevuta)}" />`);
  if (d.consegna !== null) lines.push(`    <consegna>${e(d.consegna)}</consegna>`);
  for (const r of d.ricezione) lines.push(`    <ricezione>${e(r)}</ricezione>`);
  if (d.erroreEsteso !== null) lines.push(`    <errore-esteso>${e(d.erroreEsteso)}</errore-esteso>`);
  lines.push('  </dati>');
  lines.push('</postacert>');
  return lines.join(EOL) + EOL;
}

export type DaticertReading =
  | {
      ok: true;
      daticert: Daticert;
      /** deviations the reader tolerated: unknown enumeration values, missing elements, XML errors */
      problems: string[];
    }
  | { ok: false; error: string; problems: string[] };

/** XML bytes to text by BOM and encoding declaration (UTF-8 when absent, as XML says). */
function decodeXmlBytes(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(declared.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

function childText(el: XmlElement | undefined, name: string): string | null {
  const c = child(el, name);
  return c ? c.text.trim() : null;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, what: string, problems: string[]): T {
  if (value === undefined) return fallback;
  const v = value.trim();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  const folded = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  problems.push(`${what} "${v}" is not one of ${allowed.join(' | ')}${folded ? ` (read as ${folded})` : ''}`);
  return folded ?? fallback;
}

/**
 * Reads a daticert.xml from any provider. Fails only when there is no `postacert` document at
 * all; everything else (missing elements, unknown values) lands in `problems` with a usable value.
 */
export function parseDaticert(xml: string | Buffer): DaticertReading {
  const problems: string[] = [];
  const text = (typeof xml === 'string' ? xml : decodeXmlBytes(xml)).replace(/\r\n?/g, '\n');
  const doc = parseXml(text);
  problems.push(...doc.errors.map((e) => `XML: ${e}`));
  const root = doc.root;
  if (!root || root.name !== 'postacert') {
    return { ok: false, error: root ? `root element is <${root.name}>, not <postacert>` : 'no XML element found', problems };
  }
  const intestazione = child(root, 'intestazione');
  const dati = child(root, 'dati');
  if (!intestazione) problems.push('missing <intestazione>');
  if (!dati) problems.push('missing <dati>');
  const required = (el: XmlElement | undefined, name: string): string => {
    const v = childText(el, name);
    if (v === null) problems.push(`missing <${name}>`);
    return v ?? '';
  };

  if (root.attributes.tipo === undefined) problems.push('postacert has no tipo attribute');
  const tipo = oneOf(root.attributes.tipo, DATICERT_TIPI, 'accettazione', 'postacert tipo', problems);
  const errore = oneOf(root.attributes.errore, DATICERT_ERRORI, 'nessuno', 'postacert errore', problems);

  const destinatari: Destinatario[] = (intestazione?.children ?? [])
    .filter((c) => c.name === 'destinatari')
    .map((c) => ({
      address: c.text.trim(),
      tipo: oneOf(c.attributes.tipo, ['certificato', 'esterno'] as const, 'certificato', 'destinatari tipo', problems),
    }));
  if (intestazione && destinatari.length === 0) problems.push('no <destinatari>');

  const dataEl = child(dati, 'data');
  if (dati && !dataEl) problems.push('missing <data>');
  if (dataEl && dataEl.attributes.zona === undefined) problems.push('data has no zona attribute');
  const ricevutaEl = child(dati, 'ricevuta');

  const daticert: Daticert = {
    tipo,
    errore,
    mittente: required(intestazione, 'mittente'),
    destinatari,
    risposte: required(intestazione, 'risposte'),
    // the subject is data: its spaces are kept as written (the others are trimmed identifiers)
    oggetto: child(intestazione, 'oggetto')?.text ?? null,
    gestoreEmittente: required(dati, 'gestore-emittente'),
    data: {
      giorno: required(dataEl, 'giorno'),
      ora: required(dataEl, 'ora'),
      zona: (dataEl?.attributes.zona ?? '').trim(),
    },
    identificativo: required(dati, 'identificativo'),
    msgid: childText(dati, 'msgid'),
    ricevuta: ricevutaEl ? oneOf(ricevutaEl.attributes.tipo, RECEIPT_FLAVOURS, 'completa', 'ricevuta tipo', problems) : null,
    consegna: childText(dati, 'consegna'),
    ricezione: (dati?.children ?? []).filter((c) => c.name === 'ricezione').map((c) => c.text.trim()),
    erroreEsteso: childText(dati, 'errore-esteso'),
  };
  return { ok: true, daticert, problems };
}
