// daticert.xml writing (valid against the DTD for xmllint, escaping) and tolerant reading of the
// shapes real providers produce.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDaticert, parseDaticert, type Daticert } from '../../src/pec/index.js';
import { createWorkspace, xmllintValid, xpath, type Workspace } from './helpers.js';

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace();
});
afterAll(() => ws.cleanup());

const base: Daticert = {
  tipo: 'avvenuta-consegna',
  errore: 'nessuno',
  mittente: 'protocollo@pec.comune-giardinello.test',
  destinatari: [
    { address: 'mario.rossi@pec.beta.test', tipo: 'certificato' },
    { address: 'cittadino@posta.ordinaria.test', tipo: 'esterno' },
  ],
  risposte: 'protocollo@pec.comune-giardinello.test',
  oggetto: 'Oggetto',
  gestoreEmittente: 'Beta Certificata S.r.l. (TEST)',
  data: { giorno: '25/10/2026', ora: '02:00:00', zona: '+0100' },
  identificativo: 'opec21.20261025020000.24680.07.1.42@pec.alfa.test',
  msgid: '<a&b"c@client>',
  ricevuta: 'breve',
  consegna: 'mario.rossi@pec.beta.test',
  ricezione: [],
  erroreEsteso: null,
};

describe('buildDaticert', () => {
  it('round-trips through parseDaticert and validates against the DTD', async () => {
    const xml = buildDaticert(base);
    expect((await xmllintValid(ws, Buffer.from(xml))).ok).toBe(true);
    const reading = parseDaticert(xml);
    expect(reading).toEqual({ ok: true, daticert: base, problems: [] });
  });

  it('escapes markup and drops characters XML cannot carry', async () => {
    const oggetto = 'A <b> & "c" \'d\' ]]> \u0001\u001f\uffff tab\tend \u00e8 \ud83d\udce7';
    const xml = Buffer.from(buildDaticert({ ...base, oggetto, erroreEsteso: '5.1.1 - <x> & y', ricezione: ['a@b.it'], tipo: 'presa-in-carico' }));
    const valid = await xmllintValid(ws, xml);
    expect(valid.ok, valid.stderr).toBe(true);
    expect(await xpath(ws, xml, 'string(/postacert/intestazione/oggetto)')).toBe('A <b> & "c" \'d\' ]]>  tab\tend \u00e8 \ud83d\udce7');
    expect(await xpath(ws, xml, 'string(/postacert/dati/msgid)')).toBe('<a&b"c@client>');
    expect(xml.toString()).toContain('<msgid>&lt;a&amp;b&quot;c@client&gt;</msgid>');
  });

  it('keeps a CR of the subject as a character reference', async () => {
    const xml = Buffer.from(buildDaticert({ ...base, oggetto: 'a\r\nb' }));
    expect(await xpath(ws, xml, 'string(/postacert/intestazione/oggetto)')).toBe('a\r\nb');
  });

  it('writes the elements in DTD order and one destinatari per recipient', () => {
    const xml = buildDaticert({ ...base, tipo: 'rilevazione-virus', errore: 'virus', ricevuta: null, consegna: null, ricezione: ['x@pec.beta.test', 'y@pec.beta.test'], erroreEsteso: 'virus' });
    const order = [...xml.matchAll(/<([a-z-]+)[ >/]/g)].map((m) => m[1]);
    expect(order).toEqual([
      'postacert', 'intestazione', 'mittente', 'destinatari', 'destinatari', 'risposte', 'oggetto',
      'dati', 'gestore-emittente', 'data', 'giorno', 'ora', 'identificativo', 'msgid', 'ricezione', 'ricezione', 'errore-esteso',
    ]);
  });

  it('stays valid for a message refused before it had any valid recipient', async () => {
    const xml = Buffer.from(buildDaticert({ ...base, tipo: 'non-accettazione', errore: 'altro', destinatari: [], ricevuta: null, consegna: null, msgid: null }));
    expect((await xmllintValid(ws, xml)).ok).toBe(true);
  });
});

describe('parseDaticert (tolerant)', () => {
  const realStyle = [
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<!DOCTYPE postacert SYSTEM "daticert.dtd">',
    "<postacert tipo='avvenuta-consegna'>",
    '\t<intestazione>',
    '\t\t<mittente> mittente@pec.example.it </mittente>',
    '\t\t<destinatari>dest@pec.example.it</destinatari>',
    '\t\t<risposte>mittente@pec.example.it</risposte>',
    '\t\t<oggetto>Citt\u00e0</oggetto>',
    '\t</intestazione>',
    '\t<dati>',
    '\t\t<gestore-emittente>ARUBA PEC S.P.A.</gestore-emittente>',
    '\t\t<data zona="+0200">',
    '\t\t\t<giorno>07/06/2018</giorno>',
    '\t\t\t<ora>11:44:37</ora>',
    '\t\t</data>',
    '\t\t<identificativo>opec275.20180607114436.19427.05.1.2@pec.aruba.it</identificativo>',
    '\t\t<ricevuta/>',
    '\t\t<consegna>dest@pec.example.it</consegna>',
    '\t</dati>',
    '</postacert>',
  ].join('\r\n');

  it('applies the DTD defaults, decodes Latin-1, ignores DOCTYPE, whitespace and CRLF', () => {
    const reading = parseDaticert(Buffer.from(realStyle, 'latin1'));
    if (!reading.ok) throw new Error(reading.error);
    expect(reading.problems).toEqual([]);
    expect(reading.daticert).toMatchObject({
      tipo: 'avvenuta-consegna',
      errore: 'nessuno',
      mittente: 'mittente@pec.example.it',
      destinatari: [{ address: 'dest@pec.example.it', tipo: 'certificato' }],
      oggetto: 'Citt\u00e0',
      data: { giorno: '07/06/2018', ora: '11:44:37', zona: '+0200' },
      msgid: null,
      ricevuta: 'completa',
      consegna: 'dest@pec.example.it',
      ricezione: [],
      erroreEsteso: null,
    });
  });

  it('reports unknown values and missing elements but still answers', () => {
    const reading = parseDaticert('<postacert tipo="Avvenuta-Consegna" errore="boh"><intestazione/><dati/></postacert>');
    if (!reading.ok) throw new Error(reading.error);
    expect(reading.daticert.tipo).toBe('avvenuta-consegna');
    expect(reading.daticert.errore).toBe('nessuno');
    const problems = reading.problems.join('\n');
    for (const expected of ['"Avvenuta-Consegna"', '"boh"', 'missing <mittente>', 'missing <data>', 'no <destinatari>']) expect(problems).toContain(expected);
  });

  it('fails only without a postacert document', () => {
    expect(parseDaticert('not xml at all').ok).toBe(false);
    expect(parseDaticert('<?xml version="1.0"?><other/>').ok).toBe(false);
    expect(parseDaticert(Buffer.from('\ufeff' + buildDaticert(base))).ok).toBe(true);
  });
});
