// Size limits of the punto di accesso (pec-rules §6): size x recipients above the gestore's limit
// gives avviso di non accettazione; above the hard cap SMTP refuses with 552 and no notice.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePec } from '../../src/pec/parse.js';
import type { Testbed } from '../../src/testbed/testbed.js';
import { inbox, rawOf, startTestTestbed, submit } from '../helpers/testbed.js';

const A = 'mittente@pec.piccolo.test';
const B1 = 'uno@pec.grande.test';
const B2 = 'due@pec.grande.test';

let tb: Testbed;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pec-limits-')), 'limits.yaml');
  writeFileSync(file, `
name: limiti
gestori:
  - id: piccolo
    name: Piccolo PEC (TEST)
    domains: [pec.piccolo.test]
    limits: { maxMessageBytes: 40KB, hardCapBytes: 100KB }
    mailboxes: [${A}]
  - id: grande
    name: Grande PEC (TEST)
    domains: [pec.grande.test]
    mailboxes: [${B1}, ${B2}]
`);
  tb = await startTestTestbed({ scenario: file });
});
afterAll(async () => {
  await tb?.stop();
});

function notices() {
  return inbox(tb, A).map((hit) => parsePec(rawOf(tb, hit)));
}

describe('size limits', () => {
  it('accepts a message within size x recipients', async () => {
    const sent = await submit(tb, { from: A, to: [B1, B2], subject: 'Piccolo', text: 'x'.repeat(10_000) });
    await tb.idle();
    const mine = notices().filter((p) => p.daticert?.identificativo === sent.identificativo);
    expect(mine.map((p) => p.kind).sort()).toEqual(['accettazione', 'avvenuta-consegna', 'avvenuta-consegna']);
  });

  it('size x recipients over the limit: avviso di non accettazione naming the limit', async () => {
    const sent = await submit(tb, { from: A, to: [B1, B2], subject: 'Troppo per due', text: 'y'.repeat(25_000) });
    await tb.idle();
    const mine = notices().filter((p) => p.daticert?.identificativo === sent.identificativo);
    expect(mine.map((p) => p.kind)).toEqual(['non-accettazione']);
    expect(mine[0].daticert?.erroreEsteso).toMatch(/limite di 40960 byte/);
    expect(inbox(tb, B1).length + inbox(tb, B2).length).toBe(2); // only the first test's bustas
  });

  it('over the hard cap: 552 at the SMTP level and no notice', async () => {
    const before = notices().length;
    await expect(submit(tb, { from: A, to: B1, subject: 'Enorme', text: 'z'.repeat(150_000) })).rejects.toMatchObject({ responseCode: 552 });
    await tb.idle();
    expect(notices()).toHaveLength(before);
  });
});
