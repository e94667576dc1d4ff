// Odd subjects, property style: whatever the original subject, the receipt's Subject decodes to
// prefix + subject (line breaks as spaces), tokens like `#123` survive on the wire, lines stay
// within RFC 5322 limits, and nothing a subject holds can add a header field.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptOriginal, buildPecMessage, extractFacts, parseDaticert, readOriginal, seededIds, type MessageFacts,
} from '../../src/pec/index.js';
import {
  IDENTIFICATIVO, acceptedSample, context, createWorkspace, headerNames, headerValue, opensslVerifies, parse, tipoOf,
  DIALECTS, type Workspace,
} from './helpers.js';

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace();
});
afterAll(() => ws.cleanup());

const RECEIPT_HEADERS = ['Date', 'From', 'To', 'Subject', 'Message-ID', 'X-Riferimento-Message-ID', 'X-Ricevuta', 'MIME-Version', 'Content-Type'];

const fixed: string[] = [
  '',
  ' ',
  'Pratica #123 – città di Giardinello',
  'RE: [Ticket#4567] richiesta #123',
  'x\r\nBcc: a@b',
  'x\nBcc: a@b\r\n\r\nbody',
  'x\rFrom: evil@x',
  '=?UTF-8?Q?gi=C3=A0_codificato?= testo',
  'virgolette "doppie" e \'singole\'',
  'emoji 📧 e CJK 中文 e arabo العربية',
  'a'.repeat(520),
  'parola '.repeat(90).trim(),
  'è'.repeat(300),
  `${'x'.repeat(1200)} fine`,
  'tab\tseparato\tdentro',
  'controlli \u0001\u0007\u001b fine',
  '  spazi iniziali',
];

// a seeded generator of nasty subjects: printable ASCII, separators, accents, emoji, line breaks
function randomSubjects(count: number): string[] {
  const ids = seededIds('subjects');
  const pieces = ['#123', ' ', 'città', 'ÀÈÌÒÙ', '📧', '中文', '\r\n', '\n', '"', '=?', '?=', ':', ';', 'Bcc:', '<a@b>', 'x'.repeat(80), '_', '=', '\t'];
  return Array.from({ length: count }, () => {
    const n = parseInt(ids.token(2), 36) % 12;
    return Array.from({ length: n }, () => pieces[parseInt(ids.token(2), 36) % pieces.length]).join('');
  });
}

function headerLinesWithin(raw: Buffer): void {
  const end = raw.indexOf('\r\n\r\n');
  for (const line of raw.toString('latin1', 0, end).split('\r\n')) {
    expect(line.length).toBeLessThanOrEqual(998);
  }
}

const expectedDecoded = (subject: string) => subject.replace(/\r\n|[\r\n]/g, ' ');

describe.each(DIALECTS)('%s dialect', (_name, dialect) => {
  it.each([...fixed, ...randomSubjects(40)].map((s) => [JSON.stringify(s).slice(0, 60), s]))('subject %s', async (_label, subject) => {
    const facts: MessageFacts = { ...acceptedSample().facts, oggetto: subject };
    const { raw } = await buildPecMessage(context(ws.alfa(dialect)), { kind: 'accettazione', facts, to: facts.mittente });
    expect(headerNames(raw)).toEqual(RECEIPT_HEADERS);
    headerLinesWithin(raw);
    const mail = await parse(raw);
    // decoders differ only in trimming trailing blanks of a header value
    expect(mail.subject!.trimEnd()).toBe(`ACCETTAZIONE: ${expectedDecoded(subject)}`.trimEnd());
    expect([...mail.headers.keys()].sort()).toEqual(RECEIPT_HEADERS.map((h) => h.toLowerCase()).sort());
    const xml = mail.attachments.find((a) => a.filename === 'daticert.xml')!.content;
    const reading = parseDaticert(xml);
    // the daticert keeps the subject as data; only characters XML cannot carry are dropped
    expect(reading.ok && reading.daticert.oggetto).toBe(subject.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ''));
  });

  it('keeps #123 and other ASCII tokens readable on the wire next to encoded words', async () => {
    const facts: MessageFacts = { ...acceptedSample().facts, oggetto: 'Pratica #123 – città [prot. 45]' };
    const { raw } = await buildPecMessage(context(ws.alfa(dialect)), { kind: 'accettazione', facts, to: facts.mittente });
    const subject = headerValue(raw, 'Subject')!;
    expect(subject.startsWith('ACCETTAZIONE: Pratica #123 ')).toBe(true);
    expect(subject.endsWith(' [prot. 45]')).toBe(true);
  });

  it('signs correctly with a long non-ASCII subject (folded header)', async () => {
    const facts: MessageFacts = { ...acceptedSample().facts, oggetto: 'città '.repeat(100) };
    const { raw } = await buildPecMessage(context(ws.alfa(dialect)), { kind: 'accettazione', facts, to: facts.mittente });
    expect(raw.toString('latin1', 0, raw.indexOf('\r\n\r\n')).split('\r\n').every((l) => l.length <= 78)).toBe(true);
    expect((await opensslVerifies(ws, raw)).ok).toBe(true);
  });
});

describe('header injection', () => {
  it('an encoded CR LF in the original subject cannot add a field to the busta', async () => {
    const original = Buffer.from([
      'From: a@pec.alfa.test', 'To: b@pec.beta.test', 'Subject: =?UTF-8?Q?x=0D=0ABcc:_a@b?=', 'Message-ID: <m@x>', '', 'body', '',
    ].join('\r\n'));
    const { accepted } = acceptOriginal(original, IDENTIFICATIVO);
    const facts = extractFacts(readOriginal(original), IDENTIFICATIVO, tipoOf);
    expect(facts.oggetto).toBe('x\r\nBcc: a@b');
    const { raw } = await buildPecMessage(context(ws.alfa(DIALECTS[0][1])), { kind: 'posta-certificata', facts, to: 'b@pec.beta.test', original: accepted });
    const names = headerNames(raw);
    expect(names).not.toContain('Bcc');
    expect(names).toEqual(['Date', 'From', 'Reply-To', 'To', 'Subject', 'Message-ID', 'X-Riferimento-Message-ID', 'X-Trasporto', 'MIME-Version', 'Content-Type']);
    expect((await parse(raw)).subject).toBe('POSTA CERTIFICATA: x Bcc: a@b');
  });

  it('refuses addresses that carry line breaks', async () => {
    const { facts } = acceptedSample();
    const gestore = ws.alfa(DIALECTS[0][1]);
    await expect(buildPecMessage(context(gestore), { kind: 'accettazione', facts, to: 'a@b.it\r\nBcc: x@y.it' })).rejects.toThrow(/not an address/);
    await expect(buildPecMessage(context(gestore), { kind: 'errore-consegna', facts, to: facts.mittente, consegna: 'x\n@y.it' })).rejects.toThrow(/not an address/);
  });
});
