// Dialect choices and overrides, provider quirks, a client without Message-ID, refusals of
// requests that contradict the catalogue, and reproducibility (same seed and time, same bytes).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KINDS, PEC_KINDS, buildPecMessage, dialects, getDialect, legacy, parseDaticert, standard, type PecRequest,
} from '../../src/pec/index.js';
import {
  AT, DIALECTS, IDENTIFICATIVO, acceptedSample, context, createWorkspace, headerValue, opensslVerifies, parse, xmllintValid,
  type Workspace,
} from './helpers.js';

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace();
});
afterAll(() => ws.cleanup());

async function daticertOf(raw: Buffer) {
  const xml = (await parse(raw)).attachments.find((a) => a.filename === 'daticert.xml')!.content;
  expect((await xmllintValid(ws, xml)).ok).toBe(true);
  const reading = parseDaticert(xml);
  if (!reading.ok) throw new Error(reading.error);
  return reading.daticert;
}

describe('dialects', () => {
  it('are looked up by name with a clear error', () => {
    expect(getDialect('standard')).toBe(standard);
    expect(getDialect('legacy')).toBe(legacy);
    expect(Object.keys(dialects)).toEqual(['standard', 'legacy']);
    expect(() => getDialect('aruba-2030')).toThrow('unknown PEC dialect "aruba-2030"; known dialects: standard, legacy');
    expect(() => getDialect('toString')).toThrow(/unknown PEC dialect/);
  });

  it('take per-field overrides: the 24 h notice as errore-consegna', async () => {
    const { facts } = acceptedSample();
    const gestore = ws.alfa({ ...standard, name: 'strict-24h', notice24hTipo: 'errore-consegna' });
    const { raw } = await buildPecMessage(context(gestore), { kind: 'errore-24h', facts, to: facts.mittente, consegna: 'mario.rossi@pec.beta.test' });
    expect((await opensslVerifies(ws, raw)).ok).toBe(true);
    expect(headerValue(raw, 'X-Ricevuta')).toBe('errore-consegna');
    expect((await parse(raw)).subject?.startsWith('AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: ')).toBe(true);
    expect((await daticertOf(raw)).tipo).toBe('errore-consegna');
  });

  it('legacy writes Latin-1 quoted-printable notices and SHA-1 signatures', async () => {
    const { facts } = acceptedSample();
    const { raw } = await buildPecMessage(context(ws.alfa(legacy)), { kind: 'accettazione', facts: { ...facts, oggetto: 'città 📧' }, to: facts.mittente });
    const text = raw.toString('latin1');
    expect(text).toContain('Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n');
    expect(text).toContain('=E8 stato accettato');
    const mail = await parse(raw);
    expect(mail.text).toContain('"città ?" proveniente da');
    expect(mail.html).toContain('città &#128231;');
    expect(text).toContain('micalg="sha1"');
  });
});

describe('notice text', () => {
  it('HTML-escapes everything taken from the original, in both renderings', async () => {
    const { facts } = acceptedSample();
    const evil = { ...facts, oggetto: '<script>alert(1)</script> & "x"', mittente: 'a<b>@pec.alfa.test' };
    const { raw } = await buildPecMessage(context(ws.alfa(standard)), { kind: 'accettazione', facts: evil, to: facts.mittente });
    const mail = await parse(raw);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&quot;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;&quot; proveniente da &quot;a&lt;b&gt;@pec.alfa.test&quot;');
    expect(mail.text).toContain('"<script>alert(1)</script> & "x"" proveniente da "a<b>@pec.alfa.test"');
    expect(mail.text?.split('\n')[0].trim()).toBe('Ricevuta di accettazione');
    expect(mail.text).toContain('mario.rossi@pec.beta.test ("posta certificata")');
    expect(mail.text).toContain('cittadino@posta.ordinaria.test ("posta ordinaria")');
    expect(mail.text).toContain('Il giorno 29/03/2026 alle ore 10:15:30 (+0200)');
  });
});

describe('quirks and special cases', () => {
  it('omitMsgid writes a daticert without msgid (still valid)', async () => {
    const { facts } = acceptedSample();
    const { raw } = await buildPecMessage(context(ws.alfa(standard)), { kind: 'accettazione', facts, to: facts.mittente, omitMsgid: true });
    expect((await daticertOf(raw)).msgid).toBeNull();
    expect(headerValue(raw, 'X-Riferimento-Message-ID')).toBe(facts.msgid);
  });

  it('a definitive failure sent as preavviso with a 5.4.1 errore-esteso (Aruba, Namirial)', async () => {
    const { facts } = acceptedSample();
    const { raw } = await buildPecMessage(context(ws.alfa(standard)), {
      kind: 'errore-consegna', facts, to: facts.mittente, consegna: 'mario.rossi@pec.beta.test', errore: 'no-dest',
      tipoOverride: 'preavviso-errore-consegna', erroreEstesoPrefix: '5.4.1 - ', erroreEsteso: 'Alfa PEC S.p.A. (TEST) - casella inesistente',
    });
    expect((await opensslVerifies(ws, raw)).ok).toBe(true);
    const d = await daticertOf(raw);
    expect(d.tipo).toBe('preavviso-errore-consegna');
    expect(d.errore).toBe('no-dest');
    expect(d.erroreEsteso).toBe('5.4.1 - Alfa PEC S.p.A. (TEST) - casella inesistente');
    expect(headerValue(raw, 'X-Ricevuta')).toBe('preavviso-errore-consegna');
  });

  it('a client without Message-ID: X-Riferimento-Message-ID carries the identificativo, daticert has no msgid', async () => {
    const { facts, accepted } = acceptedSample();
    const noId = { ...facts, msgid: null };
    const busta = await buildPecMessage(context(ws.alfa(standard)), { kind: 'posta-certificata', facts: noId, to: 'mario.rossi@pec.beta.test', original: accepted });
    expect(headerValue(busta.raw, 'X-Riferimento-Message-ID')).toBe(`<${IDENTIFICATIVO}>`);
    expect((await daticertOf(busta.raw)).msgid).toBeNull();
    const anomalia = await buildPecMessage(context(ws.beta(standard)), { kind: 'anomalia', facts: noId, to: 'mario.rossi@pec.beta.test', original: accepted });
    expect(anomalia.messageId).toMatch(/^<opec\d+\..*@pec\.beta\.test>$/);
    expect(headerValue(anomalia.raw, 'X-Riferimento-Message-ID')).toBeUndefined();
  });

  it('the busta copies the client X-TipoRicevuta in the dialect casing and adds Reply-To only when absent', async () => {
    const { facts, accepted } = acceptedSample('Reply-To: "Segreteria" <segreteria@pec.comune-giardinello.test>');
    for (const [, dialect] of DIALECTS) {
      const { raw } = await buildPecMessage(context(ws.alfa(dialect)), { kind: 'posta-certificata', facts, to: 'mario.rossi@pec.beta.test', original: accepted });
      expect(headerValue(raw, dialect.tipoRicevutaHeader)).toBe('completa');
      expect(headerValue(raw, 'Reply-To')).toBe('"Segreteria" <segreteria@pec.comune-giardinello.test>');
      expect(raw.toString('latin1', 0, raw.indexOf('\r\n\r\n')).match(/\r\nReply-To:/g)).toHaveLength(1);
    }
  });

  it('refuses requests that contradict the catalogue', async () => {
    const { facts } = acceptedSample();
    const g = ws.alfa(standard);
    const refuse = (req: PecRequest, message: RegExp) => expect(buildPecMessage(context(g), req)).rejects.toThrow(message);
    await refuse({ kind: 'avvenuta-consegna', facts, to: facts.mittente }, /consegna .*required/);
    await refuse({ kind: 'presa-in-carico', facts, to: facts.mittente }, /ricezione .*required/);
    await refuse({ kind: 'posta-certificata', facts, to: 'mario.rossi@pec.beta.test' }, /original message is required/);
    await refuse({ kind: 'avvenuta-consegna', facts, to: facts.mittente, consegna: 'mario.rossi@pec.beta.test' }, /original message is required/);
    await refuse({ kind: 'errore-consegna-virus', facts, to: facts.mittente, consegna: 'mario.rossi@pec.beta.test', errore: 'no-dest' }, /errore "no-dest" is not allowed/);
    await refuse({ kind: 'nonsense' as never, facts, to: facts.mittente }, /unknown PEC kind/);
  });
});

describe('catalogue table', () => {
  it('lists the twelve kinds with distinct subject prefixes for distinct families', () => {
    expect(PEC_KINDS).toHaveLength(12);
    const prefixes = new Set(PEC_KINDS.map((k) => KINDS[k].subjectPrefix));
    expect(prefixes.size).toBe(11); // preavviso-12h and errore-24h share theirs
  });
});

describe('reproducibility', () => {
  it.each(DIALECTS)('%s: same seed and time give identical bytes; another seed or time does not', async (_n, dialect) => {
    const { facts, accepted } = acceptedSample();
    const reqs: PecRequest[] = [
      { kind: 'posta-certificata', facts, to: 'mario.rossi@pec.beta.test', original: accepted },
      { kind: 'avvenuta-consegna', facts: { ...facts, ricevuta: 'breve' }, to: facts.mittente, consegna: 'mario.rossi@pec.beta.test', original: accepted },
    ];
    for (const req of reqs) {
      const a = await buildPecMessage(context(ws.alfa(dialect), 'same', AT), req);
      const b = await buildPecMessage(context(ws.alfa(dialect), 'same', AT), req);
      expect(a.raw.equals(b.raw)).toBe(true);
      expect(a.messageId).toBe(b.messageId);
      const c = await buildPecMessage(context(ws.alfa(dialect), 'other', AT), req);
      expect(c.raw.equals(a.raw)).toBe(false);
      const d = await buildPecMessage(context(ws.alfa(dialect), 'same', AT + 1000), req);
      expect(d.raw.equals(a.raw)).toBe(false);
    }
  });
});
