// The MIME parts the builder writes itself (src/pec/mime-entity.ts), judged by openssl and
// mailparser: every text transfer encoding and charset a dialect may choose, an original whose
// lines end in bare LF, soft line breaks of quoted-printable, and the multipart framing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNotice, buildPecMessage, standard, type Dialect } from '../../src/pec/index.js';
import { leafEntity, multipartEntity, withCrlf } from '../../src/pec/mime-entity.js';
import { AT, acceptedSample, context, createWorkspace, opensslVerifies, parse, type Workspace } from './helpers.js';

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace();
});
afterAll(() => ws.cleanup());

const SENDER = 'protocollo@pec.comune-giardinello.test';

/** every LF of the bytes has its CR */
function allCrlf(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) if (i === 0 || bytes[i - 1] !== 0x0d) return false;
  return true;
}

describe('text parts in every encoding a dialect may choose', () => {
  const encodings: Array<Dialect['textEncoding']> = ['quoted-printable', 'base64', '8bit'];
  const charsets: Array<Dialect['textCharset']> = ['utf-8', 'iso-8859-1'];
  for (const textEncoding of encodings) {
    for (const textCharset of charsets) {
      it(`${textEncoding}, ${textCharset}: signed, declared, and read back as the notice`, async () => {
        const { facts } = acceptedSample();
        const dialect: Dialect = { ...standard, name: `${textEncoding}-${textCharset}`, textEncoding, textCharset };
        const { raw } = await buildPecMessage(context(ws.alfa(dialect)), { kind: 'accettazione', facts, to: SENDER });
        expect((await opensslVerifies(ws, raw)).ok).toBe(true);
        const text = raw.toString('latin1');
        expect(text).toContain(`Content-Type: text/plain; charset=${textCharset}\r\nContent-Transfer-Encoding: ${textEncoding}\r\n\r\n`);
        expect(text).toContain(`Content-Type: text/html; charset=${textCharset}\r\nContent-Transfer-Encoding: ${textEncoding}\r\n\r\n`);
        const notice = buildNotice({ kind: 'accettazione', facts, at: AT, identificativo: facts.identificativo }, textCharset);
        const mail = await parse(raw);
        // the subject says "città": Latin-1 carries it, so the text reads back whole in both charsets
        expect(mail.text?.replace(/\r\n/g, '\n').trim()).toBe(notice.text.replace(/\r\n/g, '\n').trim());
        expect(mail.text).toContain('città');
      });
    }
  }
});

describe('the original attached as it arrived', () => {
  it('bare LF line ends become CRLF in the signed part, so the signature verifies', async () => {
    const sample = acceptedSample();
    const lf = Buffer.from(sample.accepted.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect(allCrlf(lf)).toBe(false);
    const { raw } = await buildPecMessage(context(ws.alfa(standard)), { kind: 'posta-certificata', facts: sample.facts, to: 'mario.rossi@pec.beta.test', original: lf });
    expect(allCrlf(raw)).toBe(true);
    expect((await opensslVerifies(ws, raw)).ok).toBe(true);
    const postacert = (await parse(raw)).attachments.find((a) => a.filename === 'postacert.eml')!;
    expect(postacert.content.toString('latin1')).toBe(sample.accepted.toString('latin1'));
  });
});

describe('entities', () => {
  it('quoted-printable: lines of at most 76 characters with soft breaks, decoded back to the body', async () => {
    const body = Buffer.from(`${'Comunicazione del Comune di Giardinello, ufficio protocollo: città '.repeat(6)}\r\nfine\r\n`, 'utf8');
    const leaf = leafEntity('text/plain; charset=utf-8', 'quoted-printable', body);
    const lines = leaf.toString('latin1').split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(lines.some((l) => l.endsWith('='))).toBe(true);
    const mail = await parse(Buffer.concat([Buffer.from('From: a@pec.alfa.test\r\nMIME-Version: 1.0\r\n'), leaf]));
    // mailparser gives text with LF line ends
    expect(mail.text).toBe(body.toString('utf8').replace(/\r\n/g, '\n'));
  });

  it('base64 leaves: lines of 76 characters; 8bit leaves: the body verbatim', () => {
    const body = Buffer.alloc(200, 0xe0);
    const b64 = leafEntity('application/octet-stream', 'base64', body).toString('latin1');
    const [head, encoded] = b64.split('\r\n\r\n');
    expect(head).toBe('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64');
    expect(encoded.split('\r\n').map((l) => l.length)).toEqual([76, 76, 76, 40]);
    expect(Buffer.from(encoded, 'base64').equals(body)).toBe(true);
    const eight = leafEntity('text/plain; charset=iso-8859-1', '8bit', Buffer.from('città', 'latin1'));
    expect(eight.subarray(eight.indexOf('\r\n\r\n') + 4).equals(Buffer.from('città', 'latin1'))).toBe(true);
  });

  it('multipart: each part between delimiters, the CRLF before a delimiter not part of the part before it', async () => {
    const a = leafEntity('text/plain; charset=utf-8', '8bit', Buffer.from('uno'));
    const b = leafEntity('text/plain; charset=utf-8', '8bit', Buffer.from('due\r\n'));
    const entity = multipartEntity('multipart/mixed', 'confine', [a, b]);
    expect(entity.toString('latin1')).toBe(
      'Content-Type: multipart/mixed; boundary="confine"\r\n\r\n' +
        '--confine\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nuno' +
        '\r\n--confine\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\ndue\r\n' +
        '\r\n--confine--\r\n',
    );
    const mail = await parse(Buffer.concat([Buffer.from('From: a@pec.alfa.test\r\nMIME-Version: 1.0\r\n'), entity]));
    expect(mail.text).toBe('uno\ndue\n');
  });

  it('withCrlf: bare LF at the start, in the middle and at the end; CRLF and lone CR kept', () => {
    expect(withCrlf(Buffer.from('\na\r\nb\nc\rd\n')).toString()).toBe('\r\na\r\nb\r\nc\rd\r\n');
    const clean = Buffer.from('a\r\nb\r\n');
    expect(withCrlf(clean)).toBe(clean);
  });
});
