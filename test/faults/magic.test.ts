// Magic recipients end to end: a real SMTP client submits to `+tag` addresses, the gestori talk
// SMTP to each other, and the sender reads its mailbox over real IMAP. Receipts are judged by
// their headers and daticert, their signatures by openssl, their timing in virtual time only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { startTestTestbed, submit } from '../helpers/testbed.js';
import { about, readInbox, type ImapMessage } from './imap.js';

const A = 'protocollo@pec.comune-giardinello.test';
const HOUR = 3_600_000;
// Saturday night before the spring DST change: 12 h later Rome is on +0200.
const START = Date.parse('2026-03-29T01:30:00+01:00');

let tb: Testbed;

beforeAll(async () => {
  tb = await startTestTestbed({ clock: { start: START, speed: 0 }, seed: 'magic' });
});
afterAll(async () => {
  await tb?.stop();
});

function signedByTestbed(m: ImapMessage) {
  const verdict = opensslSmimeVerify(m.raw, tb.caPem);
  expect(verdict.ok, verdict.output).toBe(true);
}

/** daticert `data` as ms since the epoch */
function daticertTime(m: ImapMessage): number {
  const d = m.parsed.daticert!.data;
  const [day, month, year] = d.giorno.split('/');
  return Date.parse(`${year}-${month}-${day}T${d.ora}${d.zona.slice(0, 3)}:${d.zona.slice(3)}`);
}

async function send(to: string, subject: string): Promise<string> {
  const sent = await submit(tb, { from: A, to, subject, messageId: `<${subject.replace(/\W+/g, '-')}@app.test>` });
  expect(sent.identificativo).toBeTruthy();
  return sent.identificativo!;
}

describe('magic recipients over SMTP and IMAP', () => {
  const ids: Record<string, string> = {};

  it('submits one message per tag at the same virtual instant, then 25 virtual hours pass', async () => {
    for (const tag of ['silenzio', 'piena', 'virus', 'doppia', '541', 'ritardo-13h']) {
      ids[tag] = await send(`mario.rossi+${tag}@pec.beta.test`, `Prova ${tag}`);
    }
    await tb.idle();
    expect(tb.clock.now()).toBe(START);
    await tb.advance('25h');
    expect(tb.clock.now()).toBe(START + 25 * HOUR);
  });

  it('+silenzio: preavviso at exactly +12 h (dated +0200 after the DST change), final notice at +24 h', async () => {
    const got = about(await readInbox(tb, A), ids.silenzio);
    expect(got.map((m) => m.parsed.variant)).toEqual(['accettazione', 'preavviso-12h', 'errore-24h']);
    const [acc, pre, fin] = got;
    expect(daticertTime(acc)).toBe(START);
    expect(acc.parsed.daticert!.data).toEqual({ giorno: '29/03/2026', ora: '01:30:00', zona: '+0100' });
    expect(pre.internalDate - START).toBe(12 * HOUR);
    expect(daticertTime(pre) - START).toBe(12 * HOUR);
    expect(pre.parsed.daticert!.data).toEqual({ giorno: '29/03/2026', ora: '14:30:00', zona: '+0200' });
    expect(pre.parsed.date).toBe('Sun, 29 Mar 2026 14:30:00 +0200');
    expect(fin.internalDate - START).toBe(24 * HOUR);
    for (const m of [pre, fin]) {
      expect(m.parsed.headers.get('x-ricevuta')).toBe('preavviso-errore-consegna');
      expect(m.parsed.subject).toBe('AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: Prova silenzio');
      expect(m.parsed.headers.get('from')).toBe('posta-certificata@pec.alfa.test');
      // daticert names the address as the sender wrote it: that is what consumers correlate by
      expect(m.parsed.daticert!.consegna).toBe('mario.rossi+silenzio@pec.beta.test');
      expect(m.parsed.daticert!.msgid).toBe('<Prova-silenzio@app.test>');
      expect(m.parsed.headers.get('x-riferimento-message-id')).toBe('<Prova-silenzio@app.test>');
      signedByTestbed(m);
    }
    expect(pre.parsed.daticert!.erroreEsteso).toMatch(/^4\.4\.7 /);
    expect(fin.parsed.daticert!.erroreEsteso).toMatch(/^5\.4\.7 /);
    // the recipient's gestore never answered: nothing at Alfa's receipt address, nothing in the box
    expect(tb.store.findMessages({ address: 'posta-certificata@pec.alfa.test', identificativo: ids.silenzio })).toHaveLength(0);
    expect(about(await readInbox(tb, 'mario.rossi@pec.beta.test'), ids.silenzio)).toHaveLength(0);
  });

  it('+doppia: two separately signed delivery receipts; the busta is in the untagged mailbox once', async () => {
    const got = about(await readInbox(tb, A), ids.doppia);
    expect(got.map((m) => m.parsed.variant)).toEqual(['accettazione', 'avvenuta-consegna-completa', 'avvenuta-consegna-completa']);
    const [, first, second] = got;
    expect(first.parsed.ids.messageId).not.toBe(second.parsed.ids.messageId);
    for (const m of [first, second]) {
      expect(m.parsed.daticert!.consegna).toBe('mario.rossi+doppia@pec.beta.test');
      expect(m.parsed.headers.get('from')).toBe('posta-certificata@pec.beta.test');
      expect(m.internalDate).toBe(START);
      signedByTestbed(m);
    }
    const busta = about(await readInbox(tb, 'mario.rossi@pec.beta.test'), ids.doppia);
    expect(busta.map((m) => m.parsed.kind)).toEqual(['posta-certificata']);
    expect(busta[0].parsed.to.map((t) => t.address)).toEqual(['mario.rossi+doppia@pec.beta.test']);
  });

  it('+541: the definitive failure worded as a preavviso, errore-esteso 5.4.1, and no timer notices after it', async () => {
    const got = about(await readInbox(tb, A), ids['541']);
    expect(got).toHaveLength(2);
    const notice = got[1];
    expect(notice.parsed.headers.get('x-ricevuta')).toBe('preavviso-errore-consegna');
    expect(notice.parsed.daticert!.tipo).toBe('preavviso-errore-consegna');
    expect(notice.parsed.daticert!.erroreEsteso).toMatch(/^5\.4\.1 - Alfa PEC S\.p\.A\. \(TEST\) - .*Recipient address rejected/);
    expect(notice.parsed.subject).toBe('AVVISO DI MANCATA CONSEGNA: Prova 541');
    expect(notice.internalDate).toBe(START);
    signedByTestbed(notice);
    expect(tb.store.getFlow(ids['541'])!.recipients[0].state).toBe('failed');
  });

  it('+piena: avviso di mancata consegna, errore altro, from the recipient gestore', async () => {
    const got = about(await readInbox(tb, A), ids.piena);
    expect(got.map((m) => m.parsed.variant)).toEqual(['accettazione', 'errore-consegna-altro']);
    expect(got[1].parsed.daticert!.erroreEsteso).toMatch(/^5\.2\.2 - Beta Certificata/);
    expect(got[1].parsed.headers.get('from')).toBe('posta-certificata@pec.beta.test');
    signedByTestbed(got[1]);
  });

  it('+virus: rilevazione virus between the gestori, mancata consegna per virus to the user', async () => {
    const got = about(await readInbox(tb, A), ids.virus);
    expect(got.map((m) => m.parsed.variant)).toEqual(['accettazione', 'errore-consegna-virus']);
    const notice = got[1];
    expect(notice.parsed.headers.get('x-verificasicurezza')).toBe('errore');
    expect(notice.parsed.subject).toBe('AVVISO DI MANCATA CONSEGNA PER VIRUS: Prova virus');
    expect(notice.parsed.daticert).toMatchObject({ tipo: 'errore-consegna', errore: 'virus', consegna: 'mario.rossi+virus@pec.beta.test' });
    signedByTestbed(notice);
    const between = about(await readInbox(tb, 'posta-certificata@pec.alfa.test'), ids.virus);
    expect(between.map((m) => m.parsed.kind)).toEqual(['rilevazione-virus']);
    expect(between[0].parsed.daticert!.ricezione).toEqual(['mario.rossi+virus@pec.beta.test']);
    expect(between[0].parsed.headers.get('from')).toBe('posta-certificata@pec.beta.test');
    signedByTestbed(between[0]);
  });

  it('+ritardo-13h: the preavviso at +12 h, then the receipt at +13 h, and no 24 h notice', async () => {
    const got = about(await readInbox(tb, A), ids['ritardo-13h']);
    expect(got.map((m) => m.parsed.variant)).toEqual(['accettazione', 'preavviso-12h', 'avvenuta-consegna-completa']);
    expect(got[1].internalDate - START).toBe(12 * HOUR);
    expect(got[2].internalDate - START).toBe(13 * HOUR);
    // dated when Beta delivered; it was held on the way
    expect(daticertTime(got[2])).toBe(START);
    signedByTestbed(got[2]);
    expect(tb.store.getFlow(ids['ritardo-13h'])!.recipients[0].state).toBe('delivered');
  });

  it('logs every fault it applied, with the rule and the point', () => {
    const applied = tb.store.queryLog({ actor: 'fault', event: 'applicata' }).map((r) => r.detail.rule);
    expect(applied).toEqual(expect.arrayContaining(['+silenzio', '+piena', '+virus', '+doppia', '+541:rcpt', '+541:ricevuta', '+ritardo-13h']));
  });

  it('an unknown tag is no magic: the address simply does not exist', async () => {
    const id = await send('mario.rossi+sconosciuto@pec.beta.test', 'Prova tag sconosciuto');
    await tb.idle();
    const got = about(await readInbox(tb, A), id);
    expect(got.map((m) => m.parsed.variant)).toEqual(['accettazione', 'errore-consegna-no-dest']);
  });
});
