import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import { verifyPec, type PecVerdict } from '../../src/pec/verify.js';
import { parsePec } from '../../src/pec/parse.js';
import { createOpensslKit, type OpensslKit } from './openssl-kit.js';
import { daticertXml, mixedBody, ORIGINAL, receiptHeaders, signedMessage } from './handmade.js';

let kit: OpensslKit;
beforeAll(() => {
  kit = createOpensslKit();
});
afterAll(() => kit?.cleanup());

const ORIGINAL_REWRITTEN = ORIGINAL.replace('Message-ID: <client-1@pec.comune-giardinello.test>', 'Message-ID: <opec1.20260115103000.1.1.1@pec.alfa.test>\r\nX-Riferimento-Message-ID: <client-1@pec.comune-giardinello.test>');

function consegna(opts: { msgid?: string | null; md?: 'sha256' | 'sha1'; protocol?: string; headers?: string[] } = {}) {
  const inner = mixedBody({
    daticert: daticertXml({ tipo: 'avvenuta-consegna', ricevuta: 'completa', consegna: 'protocollo@pec.comune-mineo.test', msgid: opts.msgid }),
    postacert: ORIGINAL_REWRITTEN,
  });
  const signedBytes = Buffer.from(inner.replace(/\r\n$/, ''), 'utf8');
  const signature = kit.sign(signedBytes, { md: opts.md });
  const b64 = signature.toString('base64').replace(/.{76}/g, '$&\r\n');
  const headers = opts.headers ?? receiptHeaders('X-Ricevuta: avvenuta-consegna', 'CONSEGNA: Protocollo n. 1234/2026');
  return Buffer.from(signedMessage(headers, inner, b64, opts.protocol), 'utf8');
}

const check = (v: PecVerdict, name: string) => v.checks.find((c) => c.name === name);

describe('verifyPec on messages signed by openssl', () => {
  it('accepts a well-formed receipt, as openssl does', () => {
    const message = consegna();
    expect(kit.smimeVerify(message).ok).toBe(true);
    const v = verifyPec(message, { trustedCaPem: [kit.caPem] });
    expect(v.reasons).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.kind).toBe('avvenuta-consegna');
    expect(v.variant).toBe('avvenuta-consegna-completa');
    expect(v.signature).toMatchObject({ present: true, valid: true, digestValid: true, chainValid: true, validAtSigningTime: true, algorithm: 'sha-256', canonicalised: false });
    expect(v.signature.signer?.email).toBe('posta-certificata@pec.beta.test');
    const fp = createHash('sha1').update(new X509Certificate(kit.signerPem).raw).digest('hex');
    expect(v.signature.signer?.fingerprint).toBe(fp);
    expect(v.signature.signingTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(check(v, 'daticert.dtd')?.ok).toBe(true);
    expect(check(v, 'ids.msgid-vs-riferimento')?.ok).toBe(true);
  });

  it('rejects one changed byte inside the signed part, as openssl does', () => {
    const message = consegna();
    const at = message.indexOf('stato consegnato');
    const tampered = Buffer.from(message);
    tampered[at] = 'S'.charCodeAt(0);
    expect(kit.smimeVerify(tampered).ok).toBe(false);
    const v = verifyPec(tampered, { trustedCaPem: [kit.caPem] });
    expect(v.valid).toBe(false);
    expect(v.signature.digestValid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/signature\.digest: content digest mismatch/);
  });

  it('flags a Subject changed outside the signature while the signature stays valid', () => {
    const message = consegna();
    const tampered = Buffer.from(message.toString('utf8').replace('Subject: CONSEGNA: Protocollo n. 1234/2026', 'Subject: CONSEGNA: Protocollo n. 9999/2026'), 'utf8');
    expect(kit.smimeVerify(tampered).ok).toBe(true);
    const v = verifyPec(tampered, { trustedCaPem: [kit.caPem] });
    expect(v.signature.valid).toBe(true);
    expect(v.signature.chainValid).toBe(true);
    expect(v.valid).toBe(false);
    expect(check(v, 'daticert.oggetto-vs-subject')?.ok).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/9999/);
  });

  it('flags a Subject prefix that names another kind', () => {
    const tampered = Buffer.from(consegna().toString('utf8').replace('Subject: CONSEGNA: ', 'Subject: ACCETTAZIONE: '), 'utf8');
    const v = verifyPec(tampered, { trustedCaPem: [kit.caPem] });
    expect(v.valid).toBe(false);
    expect(check(v, 'kind.subject')?.ok).toBe(false);
    expect(v.kind).toBe('avvenuta-consegna'); // the marker decides
  });

  it('verifies an LF-only copy after canonicalisation and says so', () => {
    const lf = Buffer.from(consegna().toString('utf8').replace(/\r\n/g, '\n'), 'utf8');
    const v = verifyPec(lf, { trustedCaPem: [kit.caPem] });
    expect(v.valid).toBe(true);
    expect(v.signature.canonicalised).toBe(true);
    const note = check(v, 'signature.canonicalisation');
    expect(note).toMatchObject({ ok: true, warning: true });
    expect(note?.detail).toMatch(/LF-only/);
    expect(v.warnings.join('\n')).toMatch(/canonicalisation/);
  });

  it('tolerates a missing msgid with a warning', () => {
    const v = verifyPec(consegna({ msgid: null }), { trustedCaPem: [kit.caPem] });
    expect(v.valid).toBe(true);
    expect(check(v, 'ids.msgid-vs-riferimento')).toMatchObject({ ok: true, warning: true });
    expect(v.ids.msgid).toBeNull();
  });

  it('flags a msgid that differs from X-Riferimento-Message-ID', () => {
    const v = verifyPec(consegna({ msgid: '&lt;other@pec.comune-giardinello.test&gt;' }), { trustedCaPem: [kit.caPem] });
    expect(v.valid).toBe(false);
    expect(check(v, 'ids.msgid-vs-riferimento')?.ok).toBe(false);
  });

  it('accepts the legacy profile: SHA-1 and application/x-pkcs7-signature, header casing', () => {
    const headers = receiptHeaders('x-ricevuta: AVVENUTA-CONSEGNA', 'CONSEGNA: Protocollo n. 1234/2026');
    const message = consegna({ md: 'sha1', protocol: 'application/x-pkcs7-signature', headers });
    expect(kit.smimeVerify(message).ok).toBe(true);
    const v = verifyPec(message, { trustedCaPem: [kit.caPem] });
    expect(v.reasons).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.signature.algorithm).toBe('sha1');
    expect(check(v, 'signature.protocol')).toMatchObject({ ok: true, warning: true });
  });

  it('reports an untrusted chain with a foreign CA or with no CA', () => {
    const message = consegna();
    expect(kit.smimeVerify(message, `${kit.dir}/foreign.pem`).ok).toBe(false);
    for (const trusted of [[kit.foreignCaPem], []]) {
      const v = verifyPec(message, { trustedCaPem: trusted });
      expect(v.valid).toBe(false);
      expect(v.signature.valid).toBe(true);
      expect(v.signature.chainValid).toBe(false);
      expect(v.reasons.join('\n')).toMatch(/signature\.chain: untrusted/);
    }
  });

  it('checks the signer e-mail against From', () => {
    const headers = receiptHeaders('X-Ricevuta: avvenuta-consegna', 'CONSEGNA: Protocollo n. 1234/2026').map((h) =>
      h.startsWith('From:') ? 'From: posta-certificata@pec.alfa.test' : h);
    const v = verifyPec(consegna({ headers }), { trustedCaPem: [kit.caPem] });
    expect(v.valid).toBe(false);
    expect(check(v, 'signer.email-vs-from')?.ok).toBe(false);
  });

  it('checks the providers index when given', () => {
    const fp = createHash('sha1').update(new X509Certificate(kit.signerPem).raw).digest('hex');
    const colons = fp.toUpperCase().match(/../g)!.join(':');
    const listed = verifyPec(consegna(), { trustedCaPem: [kit.caPem], index: { [colons]: { providerName: 'Beta', managedDomains: ['pec.beta.test', 'pec.comune-mineo.test'] } } });
    expect(listed.valid).toBe(true);
    expect(check(listed, 'signer.index')?.ok).toBe(true);
    expect(check(listed, 'signer.domain')?.ok).toBe(true);
    const unlisted = verifyPec(consegna(), { trustedCaPem: [kit.caPem], index: new Map([['00'.repeat(20), { providerName: 'Alfa', managedDomains: ['pec.alfa.test'] }]]) });
    expect(unlisted.valid).toBe(false);
    expect(check(unlisted, 'signer.index')?.ok).toBe(false);
    const otherDomain = verifyPec(consegna(), { trustedCaPem: [kit.caPem], index: new Map([[fp, { providerName: 'Beta', managedDomains: ['pec.comune-mineo.test'] }]]) });
    expect(otherDomain.valid).toBe(false);
    expect(check(otherDomain, 'signer.domain')?.ok).toBe(false);
  });

  it('reads an opaque application/pkcs7-mime message (.p7m style)', () => {
    const inner = mixedBody({ daticert: daticertXml({ tipo: 'avvenuta-consegna', ricevuta: 'sintetica', consegna: 'protocollo@pec.comune-mineo.test' }) });
    const der = kit.sign(Buffer.from(inner, 'utf8'), { nodetach: true });
    const message = [
      ...receiptHeaders('X-Ricevuta: avvenuta-consegna', 'CONSEGNA: Protocollo n. 1234/2026'),
      'MIME-Version: 1.0',
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
      '',
      der.toString('base64').replace(/.{64}/g, '$&\r\n'),
      '',
    ].join('\r\n');
    const v = verifyPec(Buffer.from(message), { trustedCaPem: [kit.caPem] });
    expect(v.signature.valid).toBe(true);
    expect(v.variant).toBe('avvenuta-consegna-sintetica');
    expect(v.reasons).toEqual([]);
    expect(v.valid).toBe(true);
  });
});

describe('.p7m attachments', () => {
  it('recognises signed documents attached as DER, PEM or bare base64', () => {
    const der = kit.sign(Buffer.from('%PDF-1.4 documento firmato\n'), { nodetach: true });
    const pem = `-----BEGIN PKCS7-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PKCS7-----\n`;
    const part = (name: string, body: string, encoding: string) =>
      `--b\r\nContent-Type: application/octet-stream; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
    const message = [
      'From: impresa@pec.beta.test\r\nTo: suap@pec.comune-giardinello.test\r\nSubject: SCIA\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n',
      part('scia.pdf.p7m', der.toString('base64'), 'base64'),
      part('procura.pdf.p7m', pem, '7bit'),
      part('allegato.pdf.p7m', Buffer.from(der.toString('base64')).toString('base64'), 'base64'),
      '--b--\r\n',
    ].join('');
    const p = parsePec(Buffer.from(message));
    expect(p.attachments.map((a) => [a.filename, a.p7m])).toEqual([
      ['scia.pdf.p7m', 'der'],
      ['procura.pdf.p7m', 'pem'],
      ['allegato.pdf.p7m', 'base64'],
    ]);
  });
});

describe('verifyPec on malformed input', () => {
  const samples: Record<string, Buffer> = {
    empty: Buffer.alloc(0),
    garbage: Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31 + 7) % 256)),
    'not MIME': Buffer.from('just some words\nand more words\n'),
    'ordinary mail': Buffer.from(ORIGINAL),
  };
  for (const [name, bytes] of Object.entries(samples)) {
    it(`${name}: invalid with reasons`, () => {
      const v = verifyPec(bytes, { trustedCaPem: [] });
      expect(v.valid).toBe(false);
      expect(v.kind).toBeNull();
      expect(v.reasons.join('\n')).toMatch(/signature\.present/);
      expect(v.reasons.join('\n')).toMatch(/pec\.kind: not a PEC message/);
    });
  }

  it('truncated signed message: invalid, no throw', () => {
    const message = consegna();
    for (const cut of [200, 1200, message.length - 300, message.length - 20]) {
      const v = verifyPec(message.subarray(0, cut), { trustedCaPem: [kit.caPem] });
      expect(v.valid, `cut at ${cut}`).toBe(false);
      expect(v.reasons.length).toBeGreaterThan(0);
    }
  });
});
