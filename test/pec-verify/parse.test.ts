import { describe, expect, it } from 'vitest';
import { parsePec, nestedMessages } from '../../src/pec/parse.js';
import { decodeWords, parseAddressList, parseContentType } from '../../src/pec/mime-headers.js';
import { splitMultipart } from '../../src/pec/mime-split.js';
import { daticertXml, mixedBody, ORIGINAL, receiptHeaders, signedMessage } from './handmade.js';

const buf = (s: string) => Buffer.from(s, 'utf8');
const toLf = (s: string) => s.replace(/\r\n/g, '\n');

function consegna(extraHeaders: string[] = [], daticert = daticertXml({ tipo: 'avvenuta-consegna', ricevuta: 'completa', consegna: 'protocollo@pec.comune-mineo.test' })) {
  const inner = mixedBody({ daticert, postacert: ORIGINAL });
  const raw = signedMessage(receiptHeaders('X-Ricevuta: avvenuta-consegna', 'CONSEGNA: Protocollo n. 1234/2026', extraHeaders), inner);
  return { inner, raw };
}

describe('parsePec on a hand-made avvenuta consegna', () => {
  it('classifies it and reads ids, daticert and the original', () => {
    const { raw } = consegna();
    const p = parsePec(buf(raw));
    expect(p.kind).toBe('avvenuta-consegna');
    expect(p.flavour).toBe('completa');
    expect(p.variant).toBe('avvenuta-consegna-completa');
    expect(p.errore).toBe('nessuno');
    expect(p.lineEndings).toBe('crlf');
    expect(p.subject).toBe('CONSEGNA: Protocollo n. 1234/2026');
    expect(p.from?.address).toBe('posta-certificata@pec.beta.test');
    expect(p.ids).toEqual({
      messageId: '<receipt-1@pec.beta.test>',
      riferimentoMessageId: '<client-1@pec.comune-giardinello.test>',
      identificativo: 'opec1.20260115103000.1.1.1@pec.alfa.test',
      msgid: '<client-1@pec.comune-giardinello.test>',
    });
    expect(p.daticert?.consegna).toBe('protocollo@pec.comune-mineo.test');
    expect(p.daticert?.data).toEqual({ giorno: '15/01/2026', ora: '10:30:00', zona: '+0100' });
    expect(p.daticert?.destinatari).toEqual([{ address: 'protocollo@pec.comune-mineo.test', tipo: 'certificato' }]);
    expect(p.text).toContain('è stato consegnato');
    expect(p.postacert?.filename).toBe('postacert.eml');
    expect(p.postacert?.parsed.subject).toBe('Protocollo n. 1234/2026');
    expect(p.postacert?.parsed.kind).toBeNull();
    expect(p.postacert?.parsed.text).toContain('Si trasmette');
    expect(p.problems).toEqual([]);
  });

  it('gives the exact signed bytes: the CRLF before the delimiter is not part of the entity', () => {
    const { inner, raw } = consegna();
    const p = parsePec(buf(raw));
    expect(p.signed?.form).toBe('multipart/signed');
    expect(p.signed?.protocol).toBe('application/pkcs7-signature');
    expect(p.signed?.micalg).toBe('sha-256');
    const expected = inner.replace(/\r\n$/, '');
    expect(p.signed?.content.toString('utf8')).toBe(expected);
    // the slice is the stored bytes themselves
    const start = buf(raw).indexOf(buf(expected));
    expect(start).toBeGreaterThan(0);
    expect(p.signed?.signature).toEqual(Buffer.from([0x30, 0x00]));
    expect(p.signed?.signatureEncoding).toBe('der');
  });

  it('reads an LF-only copy the same way and says so', () => {
    const { inner, raw } = consegna();
    const p = parsePec(buf(toLf(raw)));
    expect(p.lineEndings).toBe('lf');
    expect(p.kind).toBe('avvenuta-consegna');
    expect(p.signed?.content.toString('utf8')).toBe(toLf(inner).replace(/\n$/, ''));
    expect(p.daticert?.identificativo).toBe('opec1.20260115103000.1.1.1@pec.alfa.test');
    expect(p.postacert?.parsed.subject).toBe('Protocollo n. 1234/2026');
  });

  it('matches marker names and values case-insensitively', () => {
    const inner = mixedBody({ daticert: daticertXml({ tipo: 'avvenuta-consegna', ricevuta: 'breve' }) });
    const raw = signedMessage(receiptHeaders('x-RICEVUTA: Avvenuta-Consegna', 'CONSEGNA: x', ['X-TIPORICEVUTA: breve']), inner);
    const p = parsePec(buf(raw));
    expect(p.kind).toBe('avvenuta-consegna');
    expect(p.variant).toBe('avvenuta-consegna-breve');
    expect(p.tipoRicevuta).toBe('breve');
    expect(p.headers.get('X-Ricevuta')).toBe('Avvenuta-Consegna');
    expect(p.headers.spelling('x-ricevuta')).toBe('x-RICEVUTA');
  });
});

describe('classification', () => {
  const classifyWith = (marker: string[], subject: string, d: Parameters<typeof daticertXml>[0] | null, text?: string) => {
    const [first, ...rest] = marker;
    const inner = mixedBody({ daticert: d ? daticertXml(d) : undefined, text });
    return parsePec(buf(signedMessage(receiptHeaders(first, subject, rest), inner)));
  };

  it('tells the virus variants by X-VerificaSicurezza', () => {
    const p = classifyWith(['X-Ricevuta: errore-consegna', 'X-VerificaSicurezza: errore'], 'AVVISO DI MANCATA CONSEGNA PER VIRUS: x', { tipo: 'errore-consegna', errore: 'virus' });
    expect(p.kind).toBe('errore-consegna-virus');
    expect(p.variant).toBe('errore-consegna-virus');
    const q = classifyWith(['X-Ricevuta: non-accettazione', 'x-verificasicurezza: ERRORE'], 'AVVISO DI NON ACCETTAZIONE PER VIRUS: x', { tipo: 'non-accettazione', errore: 'virus' });
    expect(q.kind).toBe('non-accettazione-virus');
  });

  it('folds the errore of errore-consegna into the variant', () => {
    for (const errore of ['no-dest', 'no-dominio', 'altro']) {
      const p = classifyWith(['X-Ricevuta: errore-consegna'], 'AVVISO DI MANCATA CONSEGNA: x', { tipo: 'errore-consegna', errore });
      expect(p.kind).toBe('errore-consegna');
      expect(p.errore).toBe(errore);
      expect(p.variant).toBe(`errore-consegna-${errore}`);
    }
  });

  it('tells the 24 h notice from the 12 h preavviso', () => {
    const subject = 'AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: x';
    const marker = ['X-Ricevuta: preavviso-errore-consegna'];
    expect(classifyWith(marker, subject, { tipo: 'preavviso-errore-consegna', errore: 'altro' }).kind).toBe('preavviso-12h');
    expect(classifyWith(marker, subject, { tipo: 'preavviso-errore-consegna', errore: 'altro' }, 'Avviso di mancata consegna per superamento dei tempi massimi\r\nIl messaggio...').kind).toBe('errore-24h');
    // the dialect that writes errore-consegna moves X-Ricevuta with the tipo and keeps the Subject
    expect(classifyWith(['X-Ricevuta: errore-consegna'], subject, { tipo: 'errore-consegna', errore: 'altro' }).kind).toBe('errore-24h');
  });

  it('falls back to the Subject and then to daticert when markers are missing', () => {
    const p = classifyWith(['X-Other: 1'], 'ACCETTAZIONE: x', null);
    expect(p.kind).toBe('accettazione');
    expect(p.witnesses).toEqual({ marker: null, subject: 'accettazione', daticertTipo: null });
    const q = classifyWith(['X-Other: 1'], 'something else', { tipo: 'presa-in-carico' });
    expect(q.kind).toBe('presa-in-carico');
  });

  it('reports an unknown marker value', () => {
    const p = classifyWith(['X-Ricevuta: consegnata-forse'], 'x', null);
    expect(p.kind).toBeNull();
    expect(p.problems.join('\n')).toMatch(/unknown X-Ricevuta value/);
  });

  it('reads an anomalia busta (no daticert)', () => {
    const inner = mixedBody({ postacert: ORIGINAL, text: 'Anomalia nel messaggio' });
    const raw = signedMessage(
      [
        'From: "Per conto di: cittadino@posta.ordinaria.test" <posta-certificata@pec.beta.test>',
        'To: protocollo@pec.comune-mineo.test',
        'Subject: ANOMALIA MESSAGGIO: Protocollo n. 1234/2026',
        'X-Trasporto: errore',
      ],
      inner,
    );
    const p = parsePec(buf(raw));
    expect(p.kind).toBe('anomalia');
    expect(p.daticert).toBeNull();
    expect(p.from).toEqual({ name: 'Per conto di: cittadino@posta.ordinaria.test', address: 'posta-certificata@pec.beta.test' });
    expect(p.postacert?.parsed.from?.address).toBe('protocollo@pec.comune-giardinello.test');
  });
});

describe('nested postacert (a forwarded PEC)', () => {
  it('parses the busta inside the original inside the busta', () => {
    const innerBusta = signedMessage(
      ['From: "Per conto di: protocollo@pec.comune-giardinello.test" <posta-certificata@pec.alfa.test>', 'Subject: POSTA CERTIFICATA: Protocollo n. 1234/2026', 'X-Trasporto: posta-certificata', 'Message-ID: <opec1@pec.alfa.test>'],
      mixedBody({ daticert: daticertXml({ tipo: 'posta-certificata', ricevuta: 'completa' }), postacert: ORIGINAL, boundary: 'inner-mixed' }),
      'MAA=',
      'application/pkcs7-signature',
      'inner-signed',
    );
    const forwarding = [
      'From: protocollo@pec.comune-mineo.test',
      'To: suap@pec.comune-giardinello.test',
      'Subject: I: POSTA CERTIFICATA: Protocollo n. 1234/2026',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="fwd"',
      '',
      '--fwd',
      'Content-Type: text/plain',
      '',
      'Inoltro la PEC ricevuta.',
      '--fwd',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="POSTA CERTIFICATA.eml"',
      '',
      innerBusta.replace(/\r\n$/, ''),
      '--fwd--',
      '',
    ].join('\r\n');
    const outer = signedMessage(
      ['From: "Per conto di: protocollo@pec.comune-mineo.test" <posta-certificata@pec.beta.test>', 'Subject: POSTA CERTIFICATA: I: POSTA CERTIFICATA: Protocollo n. 1234/2026', 'X-Trasporto: posta-certificata'],
      mixedBody({ daticert: daticertXml({ tipo: 'posta-certificata', ricevuta: 'completa' }), postacert: forwarding, boundary: 'outer-mixed' }),
    );
    const p = parsePec(buf(outer));
    expect(p.kind).toBe('posta-certificata');
    const original = p.postacert!.parsed;
    expect(original.kind).toBeNull();
    expect(original.embedded).toHaveLength(1);
    const forwarded = original.embedded[0].parsed;
    expect(forwarded.kind).toBe('posta-certificata');
    expect(forwarded.ids.messageId).toBe('<opec1@pec.alfa.test>');
    expect(forwarded.postacert?.parsed.subject).toBe('Protocollo n. 1234/2026');
    const all = nestedMessages(p);
    expect(all.map((m) => m.parsed.kind)).toEqual([null, 'posta-certificata', null]);
  });
});

describe('malformed input never throws', () => {
  const samples: Record<string, Buffer> = {
    empty: Buffer.alloc(0),
    binary: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 97 + 13) % 256)),
    'plain text': buf('hello, this is not a mail message at all'),
    'headers only': buf('Subject: x\r\nFrom: a@b.test'),
    truncated: buf(consegna().raw.slice(0, 900)),
    'signed without boundary': buf('From: a@b.test\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"\r\n\r\nbody\r\n'),
    'bad daticert': buf(signedMessage(receiptHeaders('X-Ricevuta: accettazione', 'ACCETTAZIONE: x'), mixedBody({ daticert: '<postacert tipo="accettazione"><intestazione>' }))),
  };
  for (const [name, bytes] of Object.entries(samples)) {
    it(`${name}: problems, no throw`, () => {
      const p = parsePec(bytes);
      expect(p.problems.length, JSON.stringify(p.problems)).toBeGreaterThan(0);
    });
  }

  it('reads the rest of a receipt whose daticert holds an illegal character reference', () => {
    const daticert = daticertXml({ tipo: 'avvenuta-consegna', ricevuta: 'completa', consegna: 'protocollo@pec.comune-mineo.test' })
      .replace('<oggetto>', '<oggetto>&#x110000;');
    const p = parsePec(buf(consegna([], daticert).raw));
    expect(p.kind).toBe('avvenuta-consegna');
    expect(p.subject).toBe('CONSEGNA: Protocollo n. 1234/2026');
    expect(p.from?.address).toBe('posta-certificata@pec.beta.test');
    expect(p.daticert?.consegna).toBe('protocollo@pec.comune-mineo.test');
    expect(p.problems.join('\n')).toContain('"&#x110000;" is not a legal XML character');
  });

  it('reports the truncation', () => {
    const p = parsePec(buf(consegna().raw.slice(0, 900)));
    expect(p.problems.join('\n')).toMatch(/not closed|truncated|signature/);
  });
});

describe('low-level MIME reading', () => {
  it('decodes RFC 2047 words split inside a multi-byte character', () => {
    const bytes = Buffer.from('Richiesta (àèìòù)', 'utf8');
    const a = bytes.subarray(0, 12).toString('base64');
    const b = bytes.subarray(12).toString('base64');
    expect(decodeWords(`=?UTF-8?B?${a}?=\r\n =?utf-8?B?${b}?=`)).toBe('Richiesta (àèìòù)');
    expect(decodeWords('=?iso-8859-1?Q?Protocollo_n.=201234_=E0?= fine')).toBe('Protocollo n. 1234 à fine');
    expect(decodeWords('plain #123 subject')).toBe('plain #123 subject');
  });

  it('reads addresses whose display name holds an address', () => {
    expect(parseAddressList('"Per conto di: a@b.test" <posta-certificata@pec.alfa.test>, c@d.test (comment), Name <e@f.test>')).toEqual([
      { name: 'Per conto di: a@b.test', address: 'posta-certificata@pec.alfa.test' },
      { name: '', address: 'c@d.test' },
      { name: 'Name', address: 'e@f.test' },
    ]);
  });

  it('reads RFC 2231 parameters', () => {
    const ct = parseContentType("application/pdf; name*0*=utf-8''Richiesta%20accesso%20; name*1*=%C3%A0tti.pdf");
    expect(ct.mediaType).toBe('application/pdf');
    expect(ct.params.name).toBe('Richiesta accesso àtti.pdf');
  });

  it('keeps the last CRLF of a part that ends with an empty line', () => {
    const body = buf('preamble\r\n--b\r\nA\r\n\r\n--b  \r\nB\r\n--b--\r\nepilogue');
    const split = splitMultipart(body, 'b');
    expect(split.parts.map((p) => p.toString())).toEqual(['A\r\n', 'B']);
    expect(split.preamble.toString()).toBe('preamble');
    expect(split.closed).toBe(true);
    expect(split.epilogue.toString()).toBe('epilogue');
    // a line that only starts with the boundary is content
    expect(splitMultipart(buf('--b\r\n--bx\r\n--b--'), 'b').parts.map(String)).toEqual(['--bx']);
  });
});
