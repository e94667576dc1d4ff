// breve receipts: the original travels with each attachment replaced by a `<name>.hash` text part
// holding the hex hash of the decoded attachment (sha256, sha1 in the legacy dialect); every other
// byte of the original is unchanged. Hashes are checked against openssl dgst.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breveOriginal, buildPecMessage } from '../../src/pec/index.js';
import {
  ATTACHMENT_BYTES, DIALECTS, acceptedSample, context, createWorkspace, opensslVerifies, parse, writeTemp, type Workspace,
} from './helpers.js';

let ws: Workspace;
beforeAll(() => {
  ws = createWorkspace();
});
afterAll(() => ws.cleanup());

function opensslDigest(algorithm: 'sha256' | 'sha1', bytes: Buffer): string {
  const path = writeTemp(ws, 'attachment.bin', bytes);
  return /= ([0-9a-f]+)/.exec(execFileSync('openssl', ['dgst', `-${algorithm}`, path]).toString())![1];
}

const CRLF = '\r\n';

describe.each(DIALECTS)('%s dialect', (_name, dialect) => {
  it('replaces the attachment by its hash and keeps everything else', async () => {
    const { facts, accepted } = acceptedSample();
    const { raw } = await buildPecMessage(context(ws.beta(dialect)), {
      kind: 'avvenuta-consegna', facts, to: facts.mittente, consegna: 'mario.rossi@pec.beta.test', original: accepted, flavour: 'breve',
    });
    expect((await opensslVerifies(ws, raw)).ok).toBe(true);
    const postacert = (await parse(raw)).attachments.find((a) => a.filename === 'postacert.eml')!.content;
    const expectedHash = opensslDigest(dialect.breveHash, ATTACHMENT_BYTES);
    const hashPart = [
      'Content-Type: text/plain; charset=us-ascii; name=convocazione.pdf.hash',
      'Content-Transfer-Encoding: 7bit',
      'Content-Disposition: attachment; filename=convocazione.pdf.hash',
      '',
      expectedHash,
    ].join(CRLF);
    const text = accepted.toString('latin1');
    const partStart = text.indexOf('Content-Type: application/pdf');
    const partEnd = text.indexOf(`${CRLF}--orig-boundary--`);
    const expected = Buffer.from(text.slice(0, partStart) + hashPart + text.slice(partEnd), 'latin1');
    expect(postacert.toString('latin1')).toBe(expected.toString('latin1'));

    const inner = await parse(postacert);
    const hashAttachment = inner.attachments.find((a) => a.filename === 'convocazione.pdf.hash')!;
    expect(hashAttachment.contentType).toBe('text/plain');
    expect(hashAttachment.content.toString()).toBe(expectedHash);
    expect(inner.attachments.some((a) => a.filename === 'convocazione.pdf')).toBe(false);
    expect(inner.text?.trim()).toBe('Si convoca la riunione in città.');
  });
});

describe('breveOriginal', () => {
  const nested = Buffer.from([
    'From: a@pec.alfa.test', 'To: b@pec.beta.test', 'Subject: nested', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"', '', 'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary="alt"', '',
    '--alt', 'Content-Type: text/plain', '', 'testo', '--alt', 'Content-Type: text/html', '', '<p>testo</p>', '--alt--', '',
    '--outer',
    'Content-Type: application/octet-stream', "Content-Disposition: attachment; filename*=utf-8''citt%C3%A0%20bella.bin",
    'Content-Transfer-Encoding: quoted-printable', '', 'ab=3Dc=\r\nd', // decodes to "ab=cd"
    '--outer',
    'Content-Type: message/rfc822; name="inoltrato.eml"', 'Content-Disposition: attachment', '',
    'Subject: inner', '', 'inner body',
    '--outer',
    'Content-Type: image/png', 'Content-Disposition: attachment', 'Content-Transfer-Encoding: base64', '',
    Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
    '--outer--', 'epilogue', '',
  ].join(CRLF), 'latin1');

  it('hashes every attachment, nested or unnamed, and leaves text bodies alone', async () => {
    const { message, attachments } = breveOriginal(nested, 'sha256');
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    expect(attachments).toEqual([
      { path: '2', name: 'città bella.bin', hash: sha('ab=cd') },
      { path: '3', name: 'inoltrato.eml', hash: sha(`Subject: inner${CRLF}${CRLF}inner body`) },
      { path: '4', name: 'allegato-4', hash: sha(Buffer.from([0x89, 0x50, 0x4e, 0x47])) },
    ]);
    const mail = await parse(message);
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['città bella.bin.hash', sha('ab=cd')],
      ['inoltrato.eml.hash', attachments[1].hash],
      ['allegato-4.hash', attachments[2].hash],
    ]);
    expect(mail.text?.trim()).toBe('testo');
    const text = message.toString('latin1');
    expect(text.startsWith('From: a@pec.alfa.test\r\n')).toBe(true);
    expect(text).toContain('preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\ntesto\r\n');
    expect(text.endsWith('--outer--\r\nepilogue\r\n')).toBe(true);
  });

  it('leaves a message without attachments byte for byte', () => {
    const plain = Buffer.from('From: a@b.it\r\nTo: c@d.it\r\n\r\nsolo testo\r\n');
    expect(breveOriginal(plain, 'sha1').message.equals(plain)).toBe(true);
  });
});
