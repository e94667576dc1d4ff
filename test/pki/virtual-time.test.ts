// Signing at virtual time: a testbed whose clock stands years away from today signs receipts with
// certificates valid at that time, under the CA clients already trust, and renews them when its
// clock reaches their end while it runs. openssl judges with -attime, the way an archive verifies
// a receipt at its signingTime.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GESTORI, loadOrCreatePki, signersRenewAt, type GestoreCertRequest } from '../../src/pki/index.js';
import { startTestbed, type Testbed } from '../../src/testbed/testbed.js';
import { openssl, tempDir, writeTemp, type Run } from './helpers.js';

const gestori: GestoreCertRequest[] = [...DEFAULT_GESTORI];
const YEAR = 365 * 86_400_000;
const A = 'protocollo@pec.comune-giardinello.test';
const B = 'protocollo@pec.comune-mineo.test';

/** whole seconds: -attime takes seconds, and the clock then stands exactly there */
function yearsFromNow(years: number): number {
  return Math.floor((Date.now() + years * YEAR) / 1000) * 1000;
}

function verifyCertsAt(dir: string, at: number | null, files: string[], caFile = path.join(dir, 'ca.pem'), purpose = 'smimesign'): Run {
  const attime = at === null ? [] : ['-attime', String(Math.floor(at / 1000))];
  return openssl(['verify', '-purpose', purpose, ...attime, '-CAfile', caFile, ...files.map((f) => path.join(dir, f))]);
}

function cmsVerifyAt(eml: Buffer, caPem: string, at: number): Run {
  const dir = tempDir();
  return openssl(['cms', '-verify', '-in', writeTemp(dir, 'm.eml', eml), '-CAfile', writeTemp(dir, 'ca.pem', caPem),
    '-attime', String(Math.floor(at / 1000)), '-out', '/dev/null']);
}

/** every signed message in the sender's INBOX, judged by openssl at `at` */
async function sendAndJudge(tb: Testbed, at: number): Promise<string[]> {
  await tb.send({ from: A, to: B, subject: 'Tempo virtuale', text: 'Firmato quando?' });
  await tb.idle();
  const got = tb.messages({ mailbox: A });
  for (const message of got) {
    const judged = cmsVerifyAt(message.raw(), tb.caPem, at);
    expect(judged.status, `${message.kind}: ${judged.stderr}`).toBe(0);
  }
  // the recipient's punto di ricezione checked the busta at the same virtual time
  expect(tb.messages({ mailbox: B, kind: 'anomalia' })).toEqual([]);
  return got.map((m) => m.kind ?? '?');
}

describe('loadOrCreatePki with a signing time', () => {
  it('gives an existing PKI signers valid 5 years on, keeps its CA and TLS pair, and reuses them later', () => {
    const dir = tempDir();
    const first = loadOrCreatePki({ dir, gestori });
    const at = yearsFromNow(5);
    expect(verifyCertsAt(dir, at, ['gestore-alfa.pem']).status).not.toBe(0);

    const pki = loadOrCreatePki({ dir, gestori, signingAt: new Date(at) });
    expect(pki.issued).toEqual(['gestore:alfa', 'gestore:beta']);
    expect(pki.caCertPem).toBe(first.caCertPem);
    expect(pki.tls.certPem).toBe(first.tls.certPem);
    for (const when of [at, null]) {
      const run = verifyCertsAt(dir, when, ['gestore-alfa.pem', 'gestore-beta.pem']);
      expect(run.status, run.stderr).toBe(0);
    }
    // one certificate serves both times: no re-issue at the virtual time nor at the real one
    expect(loadOrCreatePki({ dir, gestori, signingAt: new Date(at) }).issued).toEqual([]);
    expect(loadOrCreatePki({ dir, gestori }).issued).toEqual([]);
  });

  it('stretches the CA (same key and name) over a time beyond its life, ahead or back, and nothing else', () => {
    const dir = tempDir();
    const first = loadOrCreatePki({ dir, gestori });
    const oldCa = writeTemp(tempDir(), 'old-ca.pem', first.caCertPem);
    const caKey = fs.readFileSync(path.join(dir, 'ca.key'), 'utf8');
    const ahead = yearsFromNow(15);
    const back = yearsFromNow(-14);
    for (const at of [ahead, back]) {
      const pki = loadOrCreatePki({ dir, gestori, signingAt: new Date(at) });
      expect(pki.issued).toEqual(['ca', 'gestore:alfa', 'gestore:beta']);
      expect(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8')).toBe(caKey);
      expect(pki.tls.certPem).toBe(first.tls.certPem);
      const signers = verifyCertsAt(dir, at, ['gestore-alfa.pem', 'gestore-beta.pem']);
      expect(signers.status, signers.stderr).toBe(0);
      // the listeners' certificate, judged today, under the new ca.pem and under the one clients already hold
      for (const caFile of [path.join(dir, 'ca.pem'), oldCa]) {
        const server = verifyCertsAt(dir, null, ['tls.pem'], caFile, 'sslserver');
        expect(server.status, server.stderr).toBe(0);
      }
    }
    for (const at of [ahead, back, undefined]) {
      expect(loadOrCreatePki({ dir, gestori, signingAt: at === undefined ? undefined : new Date(at) }).issued).toEqual([]);
    }
  });
});

describe('a testbed whose clock stands far from today', () => {
  for (const [label, years] of [['5 years ahead', 5], ['14 years back', -14]] as const) {
    it(`signs receipts that openssl accepts at the virtual time (${label}), with the CA of an existing PKI`, async () => {
      const certsDir = tempDir();
      const existing = loadOrCreatePki({ dir: certsDir, gestori });
      const start = yearsFromNow(years);
      const tb = await startTestbed({ inMemory: true, ports: 'ephemeral', certsDir, clock: { start, speed: 0 } });
      try {
        expect(tb.pki.ca.privateKey.export({ type: 'pkcs8', format: 'pem' })).toBe(existing.ca.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        expect(await sendAndJudge(tb, start)).toEqual(['accettazione', 'avvenuta-consegna']);
      } finally {
        await tb.stop();
      }
    });
  }

  it('signs for the time an on-disk testbed resumes at, not for the (absent) --clock-start', async () => {
    const dataDir = tempDir();
    const ahead = yearsFromNow(5);
    const first = await startTestbed({ dataDir, ports: 'ephemeral', certsDir: tempDir(), clock: { start: ahead, speed: 0 } });
    await first.stop();
    // the certs directory was deleted in between: the new one is made at the resumed time
    const tb = await startTestbed({ dataDir, ports: 'ephemeral', certsDir: tempDir(), clock: { speed: 0 } });
    try {
      expect(tb.clock.now()).toBe(ahead);
      expect(await sendAndJudge(tb, ahead)).toEqual(['accettazione', 'avvenuta-consegna']);
    } finally {
      await tb.stop();
    }
  });
});

describe('a clock that reaches the end of the signers while the testbed runs', () => {
  const DAY = 86_400_000;

  /** the busta B received, put to B's MX again as another gestore's relay would */
  async function relayAgain(tb: Testbed, busta: Buffer): Promise<void> {
    const transport = nodemailer.createTransport({ host: tb.endpoints.mx.host, port: tb.endpoints.mx.port, secure: false, tls: { ca: tb.caPem } });
    try {
      await transport.sendMail({ envelope: { from: 'posta-certificata@pec.alfa.test', to: [B] }, raw: busta });
    } finally {
      transport.close();
    }
  }

  it('renews them when the clock is advanced there, and still trusts the replaced certificates until the next renewal', async () => {
    const certsDir = tempDir();
    const start = yearsFromNow(0);
    const tb = await startTestbed({ inMemory: true, ports: 'ephemeral', certsDir, clock: { start, speed: 0 } });
    try {
      expect(await sendAndJudge(tb, start)).toEqual(['accettazione', 'avvenuta-consegna']);
      const busta = tb.messages({ mailbox: B, kind: 'posta-certificata' })[0].raw();
      const before = tb.index.entries.map((e) => e.providerCertificateHash);
      const caPem = tb.caPem;

      // a day past the renewal point: the old certificates are still valid for six more days
      const renewAt = signersRenewAt(tb.pki);
      expect(renewAt).toBeGreaterThan(start + 2 * YEAR);
      await tb.advance(renewAt + DAY - start);
      const now = tb.clock.now();
      const renewals = tb.store.queryLog({ event: 'rinnovo-certificati' });
      expect(renewals).toHaveLength(1);
      expect(renewals[0].detail).toMatchObject({ issued: ['gestore:alfa', 'gestore:beta'] });
      expect(signersRenewAt(tb.pki)).toBeGreaterThan(now + 2 * YEAR);
      const after = tb.index.entries.map((e) => e.providerCertificateHash);
      expect(after.some((hash) => before.includes(hash))).toBe(false);
      expect(tb.caPem).toBe(caPem);

      await tb.reset();
      expect(await sendAndJudge(tb, now)).toEqual(['accettazione', 'avvenuta-consegna']);
      // signed by the renewed certificate: not the one the index listed before
      const receipt = tb.messages({ mailbox: A, kind: 'avvenuta-consegna' })[0].raw();
      const dir = tempDir();
      const signer = openssl(['cms', '-verify', '-noverify', '-in', writeTemp(dir, 'r.eml', receipt), '-signer', path.join(dir, 'signer.pem'), '-out', '/dev/null']);
      expect(signer.status, signer.stderr).toBe(0);
      const signerHash = new X509Certificate(fs.readFileSync(path.join(dir, 'signer.pem'))).fingerprint.replace(/:/g, '');
      expect(after).toContain(signerHash);
      const renewedBusta = tb.messages({ mailbox: B, kind: 'posta-certificata' })[0].raw();

      // a busta signed with the replaced certificate, arriving now: still a busta, not an anomalia
      await tb.reset();
      await relayAgain(tb, busta);
      await tb.idle();
      expect(tb.messages({ mailbox: B }).map((m) => m.kind)).toEqual(['posta-certificata']);

      // The next renewal keeps the index it replaces and forgets the one before: a busta signed
      // with the first certificates is now an anomalia, though they were valid when it was signed.
      // One jump a month past the renewal point, past the end of the second certificates too: a
      // busta they signed still arrives as a busta (checked at its signingTime, index kept).
      await tb.advance(signersRenewAt(tb.pki) + 30 * DAY - tb.clock.now());
      // the second renewal (the resets above emptied the log of the first)
      expect(tb.store.queryLog({ event: 'rinnovo-certificati' })).toHaveLength(1);
      await tb.reset();
      await relayAgain(tb, renewedBusta);
      await tb.idle();
      expect(tb.messages({ mailbox: B }).map((m) => m.kind)).toEqual(['posta-certificata']);
      await relayAgain(tb, busta);
      await tb.idle();
      expect(tb.messages({ mailbox: B }).map((m) => m.kind)).toEqual(['posta-certificata', 'anomalia']);
      const anomalie = tb.store.queryLog({ event: 'anomalia' });
      expect(anomalie).toHaveLength(1);
      expect(anomalie[0].detail).toMatchObject({ reasons: ['certificato di firma non presente nell\'indice dei gestori'] });
    } finally {
      await tb.stop();
    }
  });

  it('renews them while the clock runs there', async () => {
    const certsDir = tempDir();
    const renewAt = signersRenewAt(loadOrCreatePki({ dir: certsDir, gestori }));
    // one virtual hour per second, starting half an hour before the renewal point
    const tb = await startTestbed({ inMemory: true, ports: 'ephemeral', certsDir, clock: { start: renewAt - 1_800_000, speed: 3600 } });
    try {
      const deadline = Date.now() + 10_000;
      while (tb.store.queryLog({ event: 'rinnovo-certificati' }).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(tb.store.queryLog({ event: 'rinnovo-certificati' })).toHaveLength(1);
      tb.clock.setSpeed(0);
      const at = Math.ceil(tb.clock.now() / 1000) * 1000;
      tb.clock.set(at);
      expect(await sendAndJudge(tb, at)).toEqual(['accettazione', 'avvenuta-consegna']);
    } finally {
      await tb.stop();
    }
  });
});
