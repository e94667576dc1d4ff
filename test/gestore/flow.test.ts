// End-to-end PEC flows through real sockets: nodemailer submits to the punto di accesso, the
// gestori talk SMTP to each other's MX, and every receipt is judged by openssl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { Testbed } from '../../src/testbed/testbed.js';
import { parsePec } from '../../src/pec/parse.js';
import { inbox, rawOf, startTestTestbed, submit } from '../helpers/testbed.js';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { acceptedSample } from '../pec-build/helpers.js';
import { EICAR } from '../../src/gestore/antivirus.js';

const A = 'protocollo@pec.comune-giardinello.test';
const A2 = 'utente@pec.alfa.test';
const B = 'protocollo@pec.comune-mineo.test';
const B2 = 'mario.rossi@pec.beta.test';
const EXT = 'cittadino@posta.ordinaria.test';
const ALFA_RECEIPTS = 'posta-certificata@pec.alfa.test';

let tb: Testbed;

beforeAll(async () => {
  tb = await startTestTestbed();
});
afterAll(async () => {
  await tb?.stop();
});

function kinds(address: string, identificativo?: string) {
  return inbox(tb, address)
    .map((hit) => ({ hit, parsed: parsePec(rawOf(tb, hit)) }))
    .filter(({ parsed }) => !identificativo || parsed.daticert?.identificativo === identificativo || parsed.ids.messageId === `<${identificativo}>`);
}

/** the flow's pending 12 h / 24 h timer jobs: cancelled once no recipient is waiting */
function timers(identificativo: string) {
  return tb.store.listJobs().filter((j) => j.key?.startsWith('timer:') && j.key.endsWith(`:${identificativo}`)).map((j) => j.key);
}

function expectSigned(raw: Buffer) {
  const verdict = opensslSmimeVerify(raw, tb.caPem);
  expect(verdict.ok, verdict.output).toBe(true);
}

describe('happy path A -> B', () => {
  it('gives accettazione, presa in carico, busta and one avvenuta consegna, all signed', async () => {
    const sent = await submit(tb, { from: A, to: B, subject: 'Protocollo n. 42 #PRATICA-7 àè', messageId: '<client-1@app.comune.test>' });
    expect(sent.identificativo).toMatch(/@pec\.alfa\.test$/);
    await tb.idle();
    const id = sent.identificativo!;

    const toSender = kinds(A, id);
    expect(toSender.map((m) => m.parsed.variant).sort()).toEqual(['accettazione', 'avvenuta-consegna-completa']);
    for (const { hit, parsed } of toSender) {
      expect(parsed.headers.get('x-riferimento-message-id')).toBe('<client-1@app.comune.test>');
      expect(parsed.daticert?.msgid).toBe('<client-1@app.comune.test>');
      expect(parsed.subject).toMatch(/Protocollo n\. 42 #PRATICA-7 àè$/);
      // accettazione comes from the sender's gestore, avvenuta consegna from the recipient's.
      expect(parsed.from?.address).toBe(parsed.kind === 'accettazione' ? ALFA_RECEIPTS : 'posta-certificata@pec.beta.test');
      expectSigned(rawOf(tb, hit));
    }
    const consegna = toSender.find((m) => m.parsed.kind === 'avvenuta-consegna')!;
    expect(consegna.parsed.daticert?.consegna).toBe(B);
    expect(consegna.parsed.postacert?.parsed.subject).toBe('Protocollo n. 42 #PRATICA-7 àè');

    const atRecipient = kinds(B, id);
    expect(atRecipient).toHaveLength(1);
    expect(atRecipient[0].parsed.kind).toBe('posta-certificata');
    expect(atRecipient[0].parsed.ids.messageId).toBe(`<${id}>`);
    expect(atRecipient[0].parsed.from?.address).toBe('posta-certificata@pec.alfa.test');
    expect(atRecipient[0].parsed.headers.get('from')).toContain('Per conto di: protocollo@pec.comune-giardinello.test');
    expectSigned(rawOf(tb, atRecipient[0].hit));

    const presa = kinds(ALFA_RECEIPTS, id);
    expect(presa.map((m) => m.parsed.kind)).toEqual(['presa-in-carico']);
    expect(presa[0].parsed.daticert?.ricezione).toEqual([B]);
    expectSigned(rawOf(tb, presa[0].hit));
    // Presa in carico stays with the gestore: never in the user's INBOX.
    expect(toSender.some((m) => m.parsed.kind === 'presa-in-carico')).toBe(false);

    const flow = tb.store.getFlow(id)!;
    expect(flow.recipients).toEqual([expect.objectContaining({ address: B, type: 'certificato', state: 'delivered' })]);
    const events = tb.store.queryLog({ identificativo: id }).map((e) => `${e.gestore}:${e.actor}:${e.event}`);
    expect(events).toEqual(expect.arrayContaining(['alfa:accesso:accettazione', 'beta:ricezione:presa-in-carico', 'beta:consegna:avvenuta-consegna']));
    expect(timers(id)).toEqual([]);
  });
});

describe('several recipients', () => {
  it('To, Cc and an esterno recipient: one acceptance listing all, one receipt per PEC recipient', async () => {
    const sent = await submit(tb, { from: A, to: [B, EXT], cc: B2, subject: 'Convocazione' });
    await tb.idle();
    const id = sent.identificativo!;
    const toSender = kinds(A, id);
    const acc = toSender.filter((m) => m.parsed.kind === 'accettazione');
    expect(acc).toHaveLength(1);
    expect(acc[0].parsed.daticert?.destinatari).toEqual([
      { address: B, tipo: 'certificato' },
      { address: EXT, tipo: 'esterno' },
      { address: B2, tipo: 'certificato' },
    ]);
    const receipts = toSender.filter((m) => m.parsed.kind === 'avvenuta-consegna');
    expect(receipts.map((r) => r.parsed.daticert?.consegna).sort()).toEqual([B2, B].sort());
    // completa: the original for To recipients only; Cc receipts carry only the certification data.
    const forTo = receipts.find((r) => r.parsed.daticert?.consegna === B)!;
    const forCc = receipts.find((r) => r.parsed.daticert?.consegna === B2)!;
    expect(forTo.parsed.postacert).not.toBeNull();
    expect(forCc.parsed.postacert).toBeNull();
    // The esterno recipient gets the busta as ordinary mail; no receipt comes from it.
    const external = kinds(EXT, id);
    expect(external.map((m) => m.parsed.kind)).toEqual(['posta-certificata']);
    expect(tb.store.getFlow(id)!.recipients.find((r) => r.address === EXT)?.state).toBe('external');
    expect(timers(id)).toEqual([]);
  });

  it('keeps the timers while one recipient is still waiting', async () => {
    const silent = 'protocollo+silenzio@pec.comune-mineo.test';
    const sent = await submit(tb, { from: A, to: [B, silent], subject: 'Uno risponde' });
    await tb.idle();
    const id = sent.identificativo!;
    expect(tb.store.getFlow(id)!.recipients.map((r) => r.state)).toEqual(['delivered', 'pending']);
    expect(timers(id).sort()).toEqual([`timer:12h:${id}`, `timer:24h:${id}`]);
  });

  it('same-domain mail goes through every step', async () => {
    const sent = await submit(tb, { from: A2, to: A, subject: 'Interna' });
    await tb.idle();
    const variants = kinds(A2, sent.identificativo!).map((m) => m.parsed.variant).sort();
    expect(variants).toEqual(['accettazione', 'avvenuta-consegna-completa']);
    expect(kinds(A, sent.identificativo!).map((m) => m.parsed.kind)).toEqual(['posta-certificata']);
    expect(kinds(ALFA_RECEIPTS, sent.identificativo!).map((m) => m.parsed.kind)).toEqual(['presa-in-carico']);
  });

  it('honours X-TipoRicevuta sintetica and breve', async () => {
    const sin = await submit(tb, { from: A, to: B, subject: 'Sintetica', headers: { 'X-TipoRicevuta': 'sintetica' } });
    const bre = await submit(tb, {
      from: A, to: B, subject: 'Breve', headers: { 'X-TipoRicevuta': 'breve' },
      attachments: [{ filename: 'atto.pdf', content: Buffer.from('%PDF-1.4 finto'), contentType: 'application/pdf' }],
    });
    await tb.idle();
    expect(kinds(A, sin.identificativo!).find((m) => m.parsed.kind === 'avvenuta-consegna')?.parsed.variant).toBe('avvenuta-consegna-sintetica');
    const breve = kinds(A, bre.identificativo!).find((m) => m.parsed.kind === 'avvenuta-consegna')!;
    expect(breve.parsed.variant).toBe('avvenuta-consegna-breve');
    expect(breve.parsed.postacert?.raw.toString()).toContain('atto.pdf.hash');
  });
});

describe('failures', () => {
  it('unknown mailbox: errore-consegna no-dest from the recipient gestore', async () => {
    const ghost = 'nessuno@pec.comune-mineo.test';
    const sent = await submit(tb, { from: A, to: ghost, subject: 'A nessuno' });
    await tb.idle();
    const err = kinds(A, sent.identificativo!).filter((m) => m.parsed.kind === 'errore-consegna');
    expect(err).toHaveLength(1);
    expect(err[0].parsed.daticert?.errore).toBe('no-dest');
    expect(err[0].parsed.daticert?.consegna).toBe(ghost);
    expect(err[0].parsed.from?.address).toBe('posta-certificata@pec.beta.test');
    expectSigned(rawOf(tb, err[0].hit));
    expect(tb.store.getFlow(sent.identificativo!)!.recipients[0].state).toBe('failed');
    expect(timers(sent.identificativo!)).toEqual([]);
  });

  it('unknown domain: the sender gestore answers errore-consegna no-dominio', async () => {
    const sent = await submit(tb, { from: A, to: 'x@pec.inesistente.test', subject: 'Dominio sconosciuto' });
    await tb.idle();
    const err = kinds(A, sent.identificativo!).filter((m) => m.parsed.kind === 'errore-consegna');
    expect(err.map((m) => m.parsed.daticert?.errore)).toEqual(['no-dominio']);
  });

  it('a busta refused for good at the relay: avviso di mancata consegna from the own gestore, timers cancelled', async () => {
    tb.faults.add({ id: 'data-554', at: 'smtp.data', match: { service: 'mx', recipient: B2 }, do: { reply: { code: 554, message: '5.7.1 Rifiutato' } } });
    try {
      const sent = await submit(tb, { from: A, to: B2, subject: 'Rifiutato' });
      await tb.idle();
      const err = kinds(A, sent.identificativo!).filter((m) => m.parsed.kind === 'errore-consegna');
      expect(err.map((m) => m.parsed.daticert?.errore)).toEqual(['altro']);
      expect(tb.store.getFlow(sent.identificativo!)!.recipients[0].state).toBe('failed');
      expect(timers(sent.identificativo!)).toEqual([]);
    } finally {
      tb.faults.remove('data-554');
    }
  });

  it('Bcc recipients: avviso di non accettazione, nothing relayed', async () => {
    const sent = await submit(tb, { from: A, to: B, bcc: B2, subject: 'Con Bcc' });
    await tb.idle();
    const got = kinds(A).filter((m) => m.parsed.daticert?.identificativo === sent.identificativo);
    expect(got.map((m) => m.parsed.kind)).toEqual(['non-accettazione']);
    expect(got[0].parsed.daticert?.erroreEsteso).toMatch(/Bcc/);
    expectSigned(rawOf(tb, got[0].hit));
    expect(kinds(B2, sent.identificativo!)).toHaveLength(0);
    expect(tb.store.getFlow(sent.identificativo!)).toBeUndefined();
  });

  it('EICAR: avviso di non accettazione per virus', async () => {
    const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
    const sent = await submit(tb, { from: A, to: B, subject: 'Allegato', attachments: [{ filename: 'eicar.com', content: eicar }] });
    await tb.idle();
    const got = kinds(A).filter((m) => m.parsed.daticert?.identificativo === sent.identificativo);
    expect(got.map((m) => m.parsed.variant)).toEqual(['non-accettazione-virus']);
    expect(got[0].parsed.headers.get('x-verificasicurezza')).toBe('errore');
  });

  it('MAIL FROM not owned by the user: 553 5.7.1 at the SMTP level', async () => {
    await expect(submit(tb, { from: A, to: B, envelope: { from: B2, to: [B] } })).rejects.toMatchObject({ responseCode: 553 });
  });

  it('From header different from MAIL FROM: 553 5.7.1', async () => {
    const raw = `From: ${B2}\r\nTo: ${B}\r\nSubject: spoof\r\nMessage-ID: <spoof@x>\r\n\r\nciao\r\n`;
    await expect(submit(tb, { from: A, to: B, raw, envelope: { from: A, to: [B] } })).rejects.toMatchObject({ responseCode: 553 });
  });

  it('wrong password: 535', async () => {
    await expect(submit(tb, { from: A, to: B, password: 'sbagliata' })).rejects.toMatchObject({ responseCode: 535 });
  });

  it('an ordinary sender reaches a PEC mailbox as busta di anomalia', async () => {
    const transport = nodemailer.createTransport({ host: tb.endpoints.mx.host, port: tb.endpoints.mx.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: EXT, to: B, subject: 'Posta normale', text: 'ciao', messageId: '<ordinaria-1@posta.ordinaria.test>' });
    transport.close();
    await tb.idle();
    const anomalie = kinds(B).filter((m) => m.parsed.kind === 'anomalia' && m.parsed.subject?.includes('Posta normale'));
    expect(anomalie).toHaveLength(1);
    expect(anomalie[0].parsed.subject).toBe('ANOMALIA MESSAGGIO: Posta normale');
    expect(anomalie[0].parsed.headers.get('x-trasporto')).toBe('errore');
    expectSigned(rawOf(tb, anomalie[0].hit));
  });

  it('a tampered busta becomes an anomalia at the recipient', async () => {
    const sent = await submit(tb, { from: A, to: B, subject: 'Da manomettere' });
    await tb.idle();
    const busta = rawOf(tb, kinds(B, sent.identificativo!)[0].hit);
    // One byte inside the signed part: the MIME header of the notice text.
    const text = busta.toString('latin1');
    const at = text.indexOf('text/plain');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(`${text.slice(0, at)}text/plaiN${text.slice(at + 10)}`, 'latin1');
    const transport = nodemailer.createTransport({ host: tb.endpoints.mx.host, port: tb.endpoints.mx.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'posta-certificata@pec.alfa.test', to: [B2] }, raw: tampered });
    transport.close();
    await tb.idle();
    const got = kinds(B2).filter((m) => m.parsed.subject?.includes('Da manomett'));
    expect(got.map((m) => m.parsed.kind)).toEqual(['anomalia']);
    expect(tb.store.queryLog({ event: 'anomalia' }).some((e) => JSON.stringify(e.detail).includes('firma'))).toBe(true);
  });

  it('a busta whose original carries EICAR gets a rilevazione virus from the recipient gestore, and no delivery', async () => {
    // Alfa's punto di accesso refuses EICAR, so the busta is built as another gestore could send it.
    const { accepted, facts } = acceptedSample();
    const pdf = Buffer.from('%PDF-1.4\n% testbed attachment\n').toString('base64');
    const infected = Buffer.from(accepted.toString('latin1').replace(pdf, Buffer.from(EICAR).toString('base64')), 'latin1');
    expect(infected.equals(accepted)).toBe(false);
    const busta = await tb.context.pec.build('alfa', tb.clock.now(), null, { kind: 'posta-certificata', facts, to: B2, original: infected });
    const transport = nodemailer.createTransport({ host: tb.endpoints.mx.host, port: tb.endpoints.mx.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: ALFA_RECEIPTS, to: [B2] }, raw: busta.raw });
    transport.close();
    await tb.idle();
    const between = kinds(ALFA_RECEIPTS, facts.identificativo);
    expect(between.map((m) => m.parsed.kind)).toEqual(['rilevazione-virus']);
    expect(between[0].parsed.daticert!.ricezione).toEqual([B2]);
    expect(kinds(B2, facts.identificativo)).toEqual([]);
  });

  it('relaying to a domain the MX does not serve is refused', async () => {
    const transport = nodemailer.createTransport({ host: tb.endpoints.mx.host, port: tb.endpoints.mx.port, secure: false, ignoreTLS: true });
    await expect(transport.sendMail({ from: EXT, to: 'qualcuno@example.org', text: 'x' })).rejects.toMatchObject({ responseCode: 554 });
    transport.close();
  });
});
