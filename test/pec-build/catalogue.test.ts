// Every kind of pec-rules §2, in both dialects, built through the engine's API and judged from
// outside: openssl verifies the S/MIME signature and fails on a one-byte change, xmllint validates
// daticert.xml against the DTD, mailparser reads the headers. Expected wire strings are written
// out here from the rules, not read from the library's own tables.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPecMessage, parseDaticert, type DaticertErrore, type DaticertTipo, type PecRequest, type ReceiptFlavour,
} from '../../src/pec/index.js';
import {
  AT, DIALECTS, IDENTIFICATIVO, acceptedSample, context, createWorkspace, headerNames, headerValue, opensslVerifies, parse,
  xmllintValid, xpath, type Workspace,
} from './helpers.js';

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace();
});
afterAll(() => ws.cleanup());

const SENDER = 'protocollo@pec.comune-giardinello.test';
const CLIENT_ID = '<20260329101500.client-42@comune-giardinello.test>';

interface Expectation {
  markers: Record<string, string>;
  prefix: string;
  /** null: no daticert.xml */
  tipo: DaticertTipo | null;
  errore?: DaticertErrore;
  consegna?: string;
  ricezione?: string[];
  ricevuta?: ReceiptFlavour;
  postacert: boolean;
  emitter: 'alfa' | 'beta';
  /** busta and anomalia: From "Per conto di: ..." and the original's To / Cc */
  perContoDi?: boolean;
}

interface Case {
  name: string;
  request: (s: ReturnType<typeof acceptedSample>) => PecRequest;
  expect: Expectation;
}

const cases: Case[] = [
  {
    name: 'accettazione',
    request: ({ facts }) => ({ kind: 'accettazione', facts, to: SENDER }),
    expect: { markers: { 'X-Ricevuta': 'accettazione' }, prefix: 'ACCETTAZIONE: ', tipo: 'accettazione', errore: 'nessuno', postacert: false, emitter: 'alfa' },
  },
  {
    name: 'non-accettazione',
    request: ({ facts }) => ({ kind: 'non-accettazione', facts, to: SENDER, erroreEsteso: 'Destinatario in Bcc non ammesso' }),
    expect: { markers: { 'X-Ricevuta': 'non-accettazione' }, prefix: 'AVVISO DI NON ACCETTAZIONE: ', tipo: 'non-accettazione', errore: 'altro', postacert: false, emitter: 'alfa' },
  },
  {
    name: 'non-accettazione-virus',
    request: ({ facts }) => ({ kind: 'non-accettazione-virus', facts, to: SENDER, erroreEsteso: 'Virus EICAR-Test-File' }),
    expect: {
      markers: { 'X-Ricevuta': 'non-accettazione', 'X-VerificaSicurezza': 'errore' },
      prefix: 'AVVISO DI NON ACCETTAZIONE PER VIRUS: ', tipo: 'non-accettazione', errore: 'virus', postacert: false, emitter: 'alfa',
    },
  },
  {
    name: 'posta-certificata (busta di trasporto)',
    request: ({ facts, accepted }) => ({ kind: 'posta-certificata', facts, to: 'mario.rossi@pec.beta.test', original: accepted }),
    expect: {
      markers: { 'X-Trasporto': 'posta-certificata' }, prefix: 'POSTA CERTIFICATA: ', tipo: 'posta-certificata', errore: 'nessuno',
      ricevuta: 'completa', postacert: true, emitter: 'alfa', perContoDi: true,
    },
  },
  {
    name: 'presa-in-carico',
    request: ({ facts }) => ({ kind: 'presa-in-carico', facts, to: 'posta-certificata@pec.alfa.test', ricezione: ['mario.rossi@pec.beta.test', 'impresa@pec.beta.test'] }),
    expect: {
      markers: { 'X-Ricevuta': 'presa-in-carico' }, prefix: 'PRESA IN CARICO: ', tipo: 'presa-in-carico', errore: 'nessuno',
      ricezione: ['mario.rossi@pec.beta.test', 'impresa@pec.beta.test'], postacert: false, emitter: 'beta',
    },
  },
  {
    name: 'anomalia',
    request: ({ facts, original }) => ({ kind: 'anomalia', facts, to: 'mario.rossi@pec.beta.test', original }),
    expect: { markers: { 'X-Trasporto': 'errore' }, prefix: 'ANOMALIA MESSAGGIO: ', tipo: null, postacert: true, emitter: 'beta', perContoDi: true },
  },
  {
    name: 'rilevazione-virus',
    request: ({ facts }) => ({ kind: 'rilevazione-virus', facts, to: 'posta-certificata@pec.alfa.test', ricezione: ['mario.rossi@pec.beta.test'], erroreEsteso: 'Virus EICAR-Test-File' }),
    expect: {
      markers: { 'X-Ricevuta': 'rilevazione-virus', 'X-Mittente': SENDER }, prefix: 'PROBLEMA DI SICUREZZA: ', tipo: 'rilevazione-virus',
      errore: 'virus', ricezione: ['mario.rossi@pec.beta.test'], postacert: false, emitter: 'beta',
    },
  },
  {
    name: 'errore-consegna-virus',
    request: ({ facts }) => ({ kind: 'errore-consegna-virus', facts, to: SENDER, consegna: 'mario.rossi@pec.beta.test' }),
    expect: {
      markers: { 'X-Ricevuta': 'errore-consegna', 'X-VerificaSicurezza': 'errore' }, prefix: 'AVVISO DI MANCATA CONSEGNA PER VIRUS: ',
      tipo: 'errore-consegna', errore: 'virus', consegna: 'mario.rossi@pec.beta.test', postacert: false, emitter: 'alfa',
    },
  },
  {
    name: 'avvenuta-consegna completa, To recipient',
    request: ({ facts, accepted }) => ({ kind: 'avvenuta-consegna', facts, to: SENDER, consegna: 'mario.rossi@pec.beta.test', original: accepted }),
    expect: {
      markers: { 'X-Ricevuta': 'avvenuta-consegna' }, prefix: 'CONSEGNA: ', tipo: 'avvenuta-consegna', errore: 'nessuno',
      consegna: 'mario.rossi@pec.beta.test', ricevuta: 'completa', postacert: true, emitter: 'beta',
    },
  },
  {
    name: 'avvenuta-consegna completa, Cc recipient (no original)',
    request: ({ facts, accepted }) => ({ kind: 'avvenuta-consegna', facts, to: SENDER, consegna: 'impresa@pec.beta.test', original: accepted }),
    expect: {
      markers: { 'X-Ricevuta': 'avvenuta-consegna' }, prefix: 'CONSEGNA: ', tipo: 'avvenuta-consegna', errore: 'nessuno',
      consegna: 'impresa@pec.beta.test', ricevuta: 'completa', postacert: false, emitter: 'beta',
    },
  },
  {
    name: 'avvenuta-consegna breve',
    request: ({ facts, accepted }) => ({ kind: 'avvenuta-consegna', facts: { ...facts, ricevuta: 'breve' }, to: SENDER, consegna: 'mario.rossi@pec.beta.test', original: accepted }),
    expect: {
      markers: { 'X-Ricevuta': 'avvenuta-consegna' }, prefix: 'CONSEGNA: ', tipo: 'avvenuta-consegna', errore: 'nessuno',
      consegna: 'mario.rossi@pec.beta.test', ricevuta: 'breve', postacert: true, emitter: 'beta',
    },
  },
  {
    name: 'avvenuta-consegna sintetica',
    request: ({ facts, accepted }) => ({ kind: 'avvenuta-consegna', facts: { ...facts, ricevuta: 'sintetica' }, to: SENDER, consegna: 'mario.rossi@pec.beta.test', original: accepted }),
    expect: {
      markers: { 'X-Ricevuta': 'avvenuta-consegna' }, prefix: 'CONSEGNA: ', tipo: 'avvenuta-consegna', errore: 'nessuno',
      consegna: 'mario.rossi@pec.beta.test', ricevuta: 'sintetica', postacert: false, emitter: 'beta',
    },
  },
  ...(['no-dest', 'no-dominio', 'altro'] as const).map((errore): Case => ({
    name: `errore-consegna ${errore}`,
    request: ({ facts }) => ({
      kind: 'errore-consegna', facts, to: SENDER, consegna: 'mario.rossi@pec.beta.test', errore,
      erroreEsteso: '5.1.1 - Beta Certificata S.r.l. (TEST) - indirizzo non valido',
    }),
    expect: {
      markers: { 'X-Ricevuta': 'errore-consegna' }, prefix: 'AVVISO DI MANCATA CONSEGNA: ', tipo: 'errore-consegna', errore,
      consegna: 'mario.rossi@pec.beta.test', postacert: false, emitter: 'beta',
    },
  })),
  {
    name: 'preavviso-12h',
    request: ({ facts }) => ({ kind: 'preavviso-12h', facts, to: SENDER, consegna: 'mario.rossi@pec.beta.test' }),
    expect: {
      markers: { 'X-Ricevuta': 'preavviso-errore-consegna' }, prefix: 'AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: ',
      tipo: 'preavviso-errore-consegna', consegna: 'mario.rossi@pec.beta.test', postacert: false, emitter: 'alfa',
    },
  },
  {
    name: 'errore-24h',
    request: ({ facts }) => ({ kind: 'errore-24h', facts, to: SENDER, consegna: 'mario.rossi@pec.beta.test' }),
    expect: {
      markers: { 'X-Ricevuta': 'preavviso-errore-consegna' }, prefix: 'AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: ',
      tipo: 'preavviso-errore-consegna', consegna: 'mario.rossi@pec.beta.test', postacert: false, emitter: 'alfa',
    },
  },
];

const PROVIDER_ID = /^<opec\d+\.\d{14}\.\d+\.\d{2}\.\d\.\d+@pec\.(alfa|beta)\.test>$/;

describe.each(DIALECTS)('%s dialect', (dialectName, dialect) => {
  const legacy = dialectName === 'legacy';

  it.each(cases)('$name', async ({ request, expect: want }) => {
    const sample = acceptedSample();
    const gestore = want.emitter === 'alfa' ? ws.alfa(dialect) : ws.beta(dialect);
    const { raw, messageId } = await buildPecMessage(context(gestore), request(sample));

    // signature: openssl accepts it as sent, and refuses it after a one-byte change
    const verdict = await opensslVerifies(ws, raw);
    expect(verdict.ok, verdict.stderr).toBe(true);
    const tampered = Buffer.from(raw);
    const at = tampered.indexOf('Identificativo del messaggio');
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'J'.charCodeAt(0);
    expect((await opensslVerifies(ws, tampered)).ok).toBe(false);

    // CRLF everywhere
    expect(raw.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);

    // envelope headers
    expect(headerValue(raw, 'Content-Type')).toBe(
      legacy
        ? `multipart/signed; protocol="application/x-pkcs7-signature";\tmicalg="sha1"; boundary="${/boundary="([^"]+)"/.exec(headerValue(raw, 'Content-Type')!)![1]}"`
        : `multipart/signed; protocol="application/pkcs7-signature";\tmicalg=sha-256; boundary="${/boundary="([^"]+)"/.exec(headerValue(raw, 'Content-Type')!)![1]}"`,
    );
    expect(headerValue(raw, 'Date')).toBe('Sun, 29 Mar 2026 10:15:30 +0200');
    expect(raw.toString('latin1')).toMatch(new RegExp(`\\r\\nSubject: ${want.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const [name, value] of Object.entries(want.markers)) expect(headerValue(raw, name), name).toBe(value);
    const domain = want.emitter === 'alfa' ? 'pec.alfa.test' : 'pec.beta.test';
    const mail = await parse(raw);
    expect(mail.subject).toBe(`${want.prefix}${sample.facts.oggetto}`);
    expect(mail.from?.value).toEqual([{ address: `posta-certificata@${domain}`, name: want.perContoDi ? `Per conto di: ${SENDER}` : '' }]);
    expect(mail.messageId).toBe(messageId);
    if (want.tipo === 'posta-certificata') expect(messageId).toBe(`<${IDENTIFICATIVO}>`);
    else if (want.tipo === null) expect(messageId).toBe(CLIENT_ID);
    else expect(messageId).toMatch(PROVIDER_ID);
    expect(headerValue(raw, 'X-Riferimento-Message-ID')).toBe(CLIENT_ID);
    if (want.perContoDi) {
      expect(headerValue(raw, 'To')).toBe('mario.rossi@pec.beta.test, "Cittadino" <cittadino@posta.ordinaria.test>');
      expect(headerValue(raw, 'Cc')).toBe('impresa@pec.beta.test');
      expect(mail.replyTo?.value).toEqual([{ address: SENDER, name: '' }]);
    } else {
      const to = (mail.to && !Array.isArray(mail.to) ? mail.to.value : []).map((a) => a.address);
      expect(to).toEqual([request(sample).to]);
      expect(headerNames(raw)).not.toContain('Cc');
    }
    if (want.tipo === 'posta-certificata') {
      expect(headerNames(raw)[0]).toBe('Received');
      expect(headerValue(raw, legacy ? 'X-Tiporicevuta' : 'X-TipoRicevuta')).toBe('completa');
      expect(headerNames(raw)).not.toContain(legacy ? 'X-TipoRicevuta' : 'X-Tiporicevuta');
    } else {
      expect(headerNames(raw).map((n) => n.toLowerCase())).not.toContain('x-tiporicevuta');
    }

    // MIME layout: alternative(text, html) + daticert.xml + postacert.eml, smime.p7s
    const attachments = mail.attachments.map((a) => [a.filename, a.contentType]);
    const p7sType = legacy ? 'application/x-pkcs7-signature' : 'application/pkcs7-signature';
    expect(attachments).toContainEqual(['smime.p7s', p7sType]);
    expect(attachments.some(([name]) => name === 'postacert.eml')).toBe(want.postacert);
    expect(mail.text).toContain(`Identificativo del messaggio: ${want.tipo === null ? CLIENT_ID : IDENTIFICATIVO}`);
    expect(mail.html || '').toContain('Identificativo del messaggio');
    const textCharset = /Content-Type: text\/plain; charset=([^\r\n;]+)/.exec(raw.toString('latin1'))?.[1];
    expect(textCharset).toBe(legacy ? 'iso-8859-1' : 'utf-8');
    if (want.postacert && want.ricevuta !== 'breve') {
      expect(raw.includes(want.tipo === null ? sample.original : sample.accepted)).toBe(true);
    }

    const daticert = mail.attachments.find((a) => a.filename === 'daticert.xml');
    if (want.tipo === null) {
      expect(daticert).toBeUndefined();
      return;
    }
    expect(daticert?.contentType).toBe('application/xml');
    expect(daticert?.contentDisposition).toBe('inline');
    const xml = daticert!.content;
    expect(xml.toString('utf8').startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.toString('utf8')).not.toContain('<!DOCTYPE');
    const valid = await xmllintValid(ws, xml);
    expect(valid.ok, valid.stderr).toBe(true);

    const reading = parseDaticert(xml);
    if (!reading.ok) throw new Error(reading.error);
    expect(reading.problems).toEqual([]);
    const d = reading.daticert;
    expect(d.tipo).toBe(want.tipo);
    expect(d.errore).toBe(want.errore ?? 'altro');
    expect(d.mittente).toBe(SENDER);
    expect(d.destinatari).toEqual([
      { address: 'mario.rossi@pec.beta.test', tipo: 'certificato' },
      { address: 'cittadino@posta.ordinaria.test', tipo: 'esterno' },
      { address: 'impresa@pec.beta.test', tipo: 'certificato' },
    ]);
    expect(d.risposte).toBe(SENDER);
    expect(d.oggetto).toBe('Convocazione città #123 [prot. 2026/45]');
    expect(d.gestoreEmittente).toBe(want.emitter === 'alfa' ? 'Alfa PEC S.p.A. (TEST)' : 'Beta Certificata S.r.l. (TEST)');
    expect(d.data).toEqual({ giorno: '29/03/2026', ora: '10:15:30', zona: '+0200' });
    expect(d.identificativo).toBe(IDENTIFICATIVO);
    expect(d.msgid).toBe(CLIENT_ID);
    expect(d.ricevuta).toBe(want.ricevuta ?? null);
    expect(d.consegna).toBe(want.consegna ?? null);
    expect(d.ricezione).toEqual(want.ricezione ?? []);
  });

  it('daticert msgid is XML-escaped and reads back through xmllint', async () => {
    const { facts } = acceptedSample();
    const { raw } = await buildPecMessage(context(ws.alfa(dialect)), { kind: 'accettazione', facts, to: SENDER });
    const xml = (await parse(raw)).attachments.find((a) => a.filename === 'daticert.xml')!.content;
    expect(xml.toString('utf8')).toContain(`<msgid>&lt;20260329101500.client-42@comune-giardinello.test&gt;</msgid>`);
    expect((await xpath(ws, xml, 'string(/postacert/dati/msgid)')).trim()).toBe(CLIENT_ID);
    expect((await xpath(ws, xml, 'string(/postacert/@tipo)')).trim()).toBe('accettazione');
    expect((await xpath(ws, xml, 'string(/postacert/dati/data/@zona)')).trim()).toBe('+0200');
    expect((await xpath(ws, xml, 'count(/postacert/intestazione/destinatari[@tipo="esterno"])')).trim()).toBe('1');
  });
});

describe('across the receipts of one message', () => {
  it('identificativo, msgid and destinatari are the same in every daticert', async () => {
    const sample = acceptedSample();
    const seen = new Set<string>();
    for (const c of cases.filter((x) => x.expect.tipo !== null)) {
      const gestore = c.expect.emitter === 'alfa' ? ws.alfa(DIALECTS[0][1]) : ws.beta(DIALECTS[0][1]);
      const { raw } = await buildPecMessage(context(gestore, c.name), c.request(sample));
      const xml = (await parse(raw)).attachments.find((a) => a.filename === 'daticert.xml')!.content;
      const reading = parseDaticert(xml);
      if (!reading.ok) throw new Error(reading.error);
      const { identificativo, msgid, destinatari, mittente } = reading.daticert;
      seen.add(JSON.stringify({ identificativo, msgid, destinatari, mittente }));
    }
    expect(seen.size).toBe(1);
  });

  it('each receipt gets its own Message-ID', async () => {
    const sample = acceptedSample();
    const ids = new Set<string>();
    for (const seed of ['a', 'b', 'c']) {
      const { messageId } = await buildPecMessage(context(ws.beta(DIALECTS[0][1]), seed, AT), {
        kind: 'avvenuta-consegna', facts: sample.facts, to: SENDER, consegna: 'mario.rossi@pec.beta.test', original: sample.accepted,
      });
      ids.add(messageId);
    }
    expect(ids.size).toBe(3);
  });
});
