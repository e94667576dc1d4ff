// `tb.send` under a seed: the message it submits takes its Message-ID and MIME boundaries from the
// seed and its Date from the virtual clock, so two testbeds started alike and sent the same calls
// store the same bytes (the accepted original inside the busta, the receipts that carry it).
// Explicit messageId / date still win; without a seed nodemailer writes the message as before.
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import type { SendRequest } from '../../src/testbed/send.js';
import { startTestTestbed } from '../helpers/testbed.js';
import { A, B } from './helpers.js';

const START = '2026-05-04T10:00:00+02:00';

const plain: SendRequest = { from: A, to: B, subject: 'Riproducibile', text: 'Primo invio.' };
const rich: SendRequest = {
  from: A, to: B, cc: 'Mario Rossi <mario.rossi@pec.beta.test>', subject: 'Con allegato e HTML', text: 'Secondo invio.', html: '<p>Secondo <b>invio</b>.</p>',
  receipt: 'breve', attachments: [{ filename: 'delibera n. 7 è.pdf', content: Buffer.from('%PDF-1.4 finto\n') }, { filename: 'nota.txt', content: 'testo' }],
};

async function run(seed: string | undefined, requests: SendRequest[] = [plain, rich]) {
  const tb = await startTestTestbed({ clock: { start: START, speed: 0 }, seed });
  try {
    const sent = [];
    for (const request of requests) {
      sent.push(await tb.send(request));
      await tb.idle();
    }
    // as a set: receipts for two recipients of one message may land in either order
    const stored = tb.messages().map((m) => `${m.address} ${m.folder}\n${m.raw().toString('latin1')}`).sort();
    // the accepted original, as the recipient's busta carries it
    const originals = sent.map((s) => tb.messages({ mailbox: B, kind: 'posta-certificata', identificativo: s.identificativo! })[0]?.parse().postacert?.raw);
    const ccBuste = tb.messages({ mailbox: 'mario.rossi@pec.beta.test', kind: 'posta-certificata' }).length;
    return { sent, stored, originals, ccBuste };
  } finally {
    await tb.stop();
  }
}

describe('tb.send with a seed', () => {
  it('same seed, same calls: byte-identical submitted messages, identificativi and receipts; another seed: other bytes', async () => {
    const a = await run('7');
    const b = await run('7');
    const c = await run('8');

    expect(a.sent.map((s) => s.messageId)).toEqual(b.sent.map((s) => s.messageId));
    expect(a.sent.map((s) => s.identificativo)).toEqual(b.sent.map((s) => s.identificativo));
    expect(a.originals.every((o) => Buffer.isBuffer(o))).toBe(true);
    a.originals.forEach((original, i) => expect(original!.equals(b.originals[i]!), `original ${i + 1}`).toBe(true));
    expect(a.stored.length).toBeGreaterThanOrEqual(6);
    expect(b.stored).toEqual(a.stored);

    expect(c.sent.map((s) => s.messageId)).not.toEqual(a.sent.map((s) => s.messageId));
    a.originals.forEach((original, i) => expect(original!.equals(c.originals[i]!), `original ${i + 1}`).toBe(false));
  });

  it('dates the message by the virtual clock and keeps what was asked for: HTML, attachments, receipt flavour', async () => {
    const { sent, originals, ccBuste } = await run('7');
    expect(ccBuste).toBe(1);
    const text = originals[1]!.toString('latin1');
    // 10:00 Rome time, not the real time of the run
    expect(text).toMatch(/^Date: Mon, 04 May 2026 10:00:00 \+0200\r$/m);
    expect(text).toMatch(/^X-TipoRicevuta: breve\r$/m);
    expect(text).toContain(`X-Riferimento-Message-ID: ${sent[1].messageId}`);
    const mail = await simpleParser(originals[1]!);
    expect(mail.text?.trim()).toBe('Secondo invio.');
    expect(mail.html).toContain('<b>invio</b>');
    expect(mail.cc && !Array.isArray(mail.cc) ? mail.cc.value.map((v) => v.address) : null).toEqual(['mario.rossi@pec.beta.test']);
    expect(mail.attachments.map((x) => [x.filename, x.contentType, x.content.toString()])).toEqual([
      ['delibera n. 7 è.pdf', 'application/pdf', '%PDF-1.4 finto\n'],
      ['nota.txt', 'text/plain', 'testo'],
    ]);
  });

  it("the caller's messageId and date win over the seed", async () => {
    const explicit: SendRequest = { ...plain, messageId: 'mio-1@app.test', date: '2020-01-02T03:04:05Z' };
    const { sent, originals } = await run('7', [explicit]);
    expect(sent[0].messageId).toBe('<mio-1@app.test>');
    const text = originals[0]!.toString('latin1');
    expect(text).toMatch(/^Date: Thu, 02 Jan 2020 04:04:05 \+0100\r$/m);
    expect(text).toMatch(/^X-Riferimento-Message-ID: <mio-1@app\.test>\r$/m);
  });
});

describe('tb.send without a seed', () => {
  it('is written by nodemailer as before: its own Message-ID, the real date', async () => {
    const a = await run(undefined, [plain]);
    const b = await run(undefined, [plain]);
    expect(a.sent[0].messageId).not.toBe(b.sent[0].messageId);
    expect(a.sent[0].messageId).not.toMatch(/^<send\./);
    expect(a.originals[0]!.toString('latin1')).not.toMatch(/^Date: Mon, 04 May 2026 10:00:00/m);
  });
});
