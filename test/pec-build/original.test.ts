// Reading a submitted message tolerantly, the acceptance rewrite (byte-exact apart from the
// Message-ID swap) and the certification facts. mailparser is the outside reader of the results.

import { describe, expect, it } from 'vitest';
import { acceptOriginal, extractFacts, readOriginal } from '../../src/pec/index.js';
import { IDENTIFICATIVO, parse, submittedOriginal, tipoOf } from './helpers.js';

const msg = (lines: string[], eol = '\r\n') => Buffer.from(lines.join(eol));

describe('readOriginal', () => {
  it('reads addresses, the decoded subject, the Message-ID and the receipt flavour', () => {
    const s = readOriginal(submittedOriginal());
    expect(s.errors).toEqual([]);
    expect(s.warnings).toEqual([]);
    expect(s.from).toEqual({ name: 'Ufficio Protocollo', address: 'protocollo@pec.comune-giardinello.test' });
    expect(s.fromDisplay).toBe('"Ufficio Protocollo" <protocollo@pec.comune-giardinello.test>');
    expect(s.to.map((m) => m.address)).toEqual(['mario.rossi@pec.beta.test', 'cittadino@posta.ordinaria.test']);
    expect(s.cc.map((m) => m.address)).toEqual(['impresa@pec.beta.test']);
    expect(s.bcc).toEqual([]);
    expect(s.subject).toBe('Convocazione città #123 [prot. 2026/45]');
    expect(s.messageId).toBe('<20260329101500.client-42@comune-giardinello.test>');
    expect(s.tipoRicevuta).toBe('completa');
    expect(s.headers.received).toEqual(['from [127.0.0.1] (localhost [127.0.0.1])\r\n\tby pec.alfa.test (PEC testbed) with ESMTPSA; Sun, 29 Mar 2026 10:15:29 +0200']);
    expect(s.size).toBe(submittedOriginal().length);
  });

  it('matches X-TipoRicevuta in any casing and value casing', () => {
    expect(readOriginal(msg(['From: a@b.it', 'To: c@d.it', 'x-tiporicevuta:  BREVE', '', 'x'])).tipoRicevuta).toBe('breve');
    expect(readOriginal(msg(['From: a@b.it', 'To: c@d.it', 'X-Tiporicevuta: sintetica', '', 'x'])).tipoRicevuta).toBe('sintetica');
  });

  it('takes completa with a warning for an unknown flavour, and when absent', () => {
    const unknown = readOriginal(msg(['From: a@b.it', 'To: c@d.it', 'X-TipoRicevuta: totale', '', 'x']));
    expect(unknown.tipoRicevuta).toBe('completa');
    expect(unknown.warnings.join()).toMatch(/totale/);
    expect(readOriginal(msg(['From: a@b.it', 'To: c@d.it', '', 'x'])).tipoRicevuta).toBe('completa');
  });

  it('reports malformed From / To as errors instead of throwing', () => {
    expect(readOriginal(msg(['To: c@d.it', '', 'x'])).errors).toEqual(['From: missing']);
    expect(readOriginal(msg(['From: a@b.it, e@f.it', 'To: c@d.it', '', 'x'])).errors.join()).toMatch(/exactly one address/);
    expect(readOriginal(msg(['From: not an address', 'To: c@d.it', '', 'x'])).errors.join()).toMatch(/not a valid address/);
    expect(readOriginal(msg(['From: a@b.it', '', 'x'])).errors).toEqual(['To: missing']);
    const badTo = readOriginal(msg(['From: a@b.it', 'To: c@d.it, nonsense', '', 'x']));
    expect(badTo.errors.join()).toMatch(/To: not a valid address/);
    expect(badTo.to.map((m) => m.address)).toEqual(['c@d.it']);
  });

  it('reads LF-only messages, header-only messages, Bcc and a folded subject', () => {
    const s = readOriginal(msg(['From: a@b.it', 'To: c@d.it', 'Bcc: x@y.it', 'Subject: una', ' riga piegata', '', 'body'], '\n'));
    expect(s.subject).toBe('una riga piegata');
    expect(s.bcc.map((m) => m.address)).toEqual(['x@y.it']);
    expect(readOriginal(Buffer.from('From: a@b.it\r\nTo: c@d.it')).errors).toEqual([]);
  });

  it('never throws, whatever the bytes', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = Buffer.from('From: To: Subject: =?UTF-8?Q?=C3?= <>@,;:"\\()\r\n\t x-tiporicevuta Message-ID \u00e8\u0000\u00ff', 'latin1');
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(Array.from({ length: next() % 400 }, () => alphabet[next() % alphabet.length]));
      expect(() => readOriginal(bytes)).not.toThrow();
      expect(() => acceptOriginal(bytes, IDENTIFICATIVO)).not.toThrow();
    }
  });
});

describe('acceptOriginal', () => {
  it('swaps the Message-ID for the identificativo and keeps the client id, nothing else changes', async () => {
    const original = submittedOriginal();
    const { accepted, clientMessageId } = acceptOriginal(original, IDENTIFICATIVO);
    expect(clientMessageId).toBe('<20260329101500.client-42@comune-giardinello.test>');
    const expected = Buffer.from(original.toString('latin1').replace(
      'Message-ID: <20260329101500.client-42@comune-giardinello.test>\r\n',
      `Message-ID: <${IDENTIFICATIVO}>\r\nX-Riferimento-Message-ID: <20260329101500.client-42@comune-giardinello.test>\r\n`,
    ), 'latin1');
    expect(accepted.equals(expected)).toBe(true);
    const mail = await parse(accepted);
    expect(mail.messageId).toBe(`<${IDENTIFICATIVO}>`);
    expect(mail.headers.get('x-riferimento-message-id')).toBe('<20260329101500.client-42@comune-giardinello.test>');
  });

  it('keeps LF line ends and 8-bit bytes as they are', () => {
    const original = Buffer.concat([Buffer.from('From: a@b.it\nTo: c@d.it\nmessage-id:\n <x@y>\n\ncorpo \u00e8\n', 'latin1'), Buffer.from([0xff, 0x0a])]);
    const { accepted, clientMessageId } = acceptOriginal(original, IDENTIFICATIVO);
    expect(clientMessageId).toBe('<x@y>');
    expect(accepted.equals(Buffer.concat([
      Buffer.from(`From: a@b.it\nTo: c@d.it\nMessage-ID: <${IDENTIFICATIVO}>\nX-Riferimento-Message-ID: <x@y>\n\ncorpo \u00e8\n`, 'latin1'),
      Buffer.from([0xff, 0x0a]),
    ]))).toBe(true);
  });

  it('adds a Message-ID at the end of the header when the client sent none', () => {
    const { accepted, clientMessageId } = acceptOriginal(Buffer.from('From: a@b.it\r\nTo: c@d.it\r\n\r\nx'), IDENTIFICATIVO);
    expect(clientMessageId).toBeNull();
    expect(accepted.toString()).toBe(`From: a@b.it\r\nTo: c@d.it\r\nMessage-ID: <${IDENTIFICATIVO}>\r\n\r\nx`);
    const headerOnly = acceptOriginal(Buffer.from('From: a@b.it\r\nTo: c@d.it'), IDENTIFICATIVO).accepted.toString();
    expect(headerOnly).toBe(`From: a@b.it\r\nTo: c@d.it\r\nMessage-ID: <${IDENTIFICATIVO}>\r\n`);
  });

  it('drops extra Message-IDs and a client-written X-Riferimento-Message-ID', () => {
    const raw = Buffer.from('X-Riferimento-Message-ID: <forged@x>\r\nMessage-ID: <one@x>\r\nFrom: a@b.it\r\nMessage-Id: <two@x>\r\n\r\nbody');
    const { accepted } = acceptOriginal(raw, IDENTIFICATIVO);
    expect(accepted.toString()).toBe(`Message-ID: <${IDENTIFICATIVO}>\r\nX-Riferimento-Message-ID: <one@x>\r\nFrom: a@b.it\r\n\r\nbody`);
  });

  it('does not touch a Message-ID inside the body or a nested message', () => {
    const raw = Buffer.from('Message-ID: <top@x>\r\n\r\nMessage-ID: <inner@x>\r\n');
    expect(acceptOriginal(raw, IDENTIFICATIVO).accepted.toString()).toContain('\r\n\r\nMessage-ID: <inner@x>\r\n');
  });
});

describe('extractFacts', () => {
  it('gives every To and Cc recipient once, with its tipo, and Reply-To as risposte', () => {
    const s = readOriginal(msg([
      'From: a@pec.alfa.test', 'Reply-To: "Risposte" <risposte@pec.alfa.test>', 'To: b@pec.beta.test, x@posta.ordinaria.test',
      'Cc: B@pec.beta.test, c@pec.beta.test', 'Subject: s', '', 'x',
    ]));
    const facts = extractFacts(s, IDENTIFICATIVO, tipoOf);
    expect(facts.destinatari).toEqual([
      { address: 'b@pec.beta.test', tipo: 'certificato' },
      { address: 'x@posta.ordinaria.test', tipo: 'esterno' },
      { address: 'c@pec.beta.test', tipo: 'certificato' },
    ]);
    expect(facts.to).toEqual(['b@pec.beta.test', 'x@posta.ordinaria.test']);
    expect(facts.risposte).toBe('risposte@pec.alfa.test');
    expect(facts.msgid).toBeNull();
    expect(facts.identificativo).toBe(IDENTIFICATIVO);
  });
});
