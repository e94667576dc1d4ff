// The in-process API a test suite uses directly: send, waitFor, messages, advance, faults, reset;
// and `pec-testbed start` reporting the HTTP endpoint and honouring --api-token.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { WaitTimeoutError } from '../../src/testbed/wait.js';
import { startCli, exited } from '../helpers/cli.js';
import { startTestTestbed, testCertsDir } from '../helpers/testbed.js';
import { A, B, curl } from './helpers.js';

describe('tb.*', () => {
  let tb: Testbed;

  beforeAll(async () => {
    tb = await startTestTestbed({ clock: { start: '2026-05-04T10:00:00+02:00', speed: 0 } });
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('send + waitFor: the receipt, its bytes and its reading', async () => {
    const sent = await tb.send({ from: A, to: B, subject: 'In processo', messageId: 'inproc-1@app.test' });
    expect(sent.messageId).toBe('<inproc-1@app.test>');
    const [receipt] = await tb.waitFor({ kind: 'avvenuta-consegna', mailbox: A, msgid: sent.messageId });
    expect(receipt.identificativo).toBe(sent.identificativo);
    expect(receipt.raw().toString('latin1')).toContain('X-Ricevuta: avvenuta-consegna');
    const parsed = receipt.parse();
    expect(parsed.daticert?.consegna).toBe(B);
    expect(parsed.daticert?.data).toMatchObject({ giorno: '04/05/2026', zona: '+0200' });
    expect(tb.messages({ mailbox: A, msgid: 'inproc-1@app.test' }).map((m) => m.kind)).toEqual(['accettazione', 'avvenuta-consegna']);
  });

  it('waitFor rejects with WaitTimeoutError listing what it found', async () => {
    const error = await tb.waitFor({ mailbox: A, msgid: 'inproc-1@app.test', count: 5, timeout: '200ms' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).found).toHaveLength(2);
    expect((error as WaitTimeoutError).message).toMatch(/2 of 5/);
    await expect(tb.waitFor({ count: 0 })).rejects.toThrow(/count/);
  });

  it('faults.add + advance: a dropped delivery turns into the 12 h preavviso', async () => {
    tb.faults.add({ at: 'consegna', match: { subject: '^Persa$' }, do: { drop: true }, times: 1 });
    const sent = await tb.send({ from: A, to: B, subject: 'Persa' });
    await tb.waitFor({ kind: 'presa-in-carico', identificativo: sent.identificativo! });
    await tb.advance('12h');
    const [preavviso] = await tb.waitFor({ mailbox: A, kind: 'preavviso-errore-consegna', identificativo: sent.identificativo! });
    expect(preavviso.parse().variant).toBe('preavviso-12h');
    tb.faults.clear();
  });

  it('reset empties everything but the mailboxes', async () => {
    await tb.reset();
    expect(tb.messages()).toEqual([]);
    expect(tb.store.queryLog({})).toEqual([]);
    expect(tb.store.getAccount(A)).toBeDefined();
  });
});

describe('pec-testbed start', () => {
  it('prints the HTTP endpoint, UI and API URLs in --json and honours --api-token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pec-start-'));
    const started = await startCli<{ endpoints: Record<string, { host: string; port: number }>; ui: string; api: string; apiToken: string | null }>(
      ['--in-memory', '--ports', 'ephemeral', '--certs', testCertsDir(), '--data-dir', dataDir, '--api-token', 'dalla-riga-di-comando'],
    );
    try {
      const { http } = started.info.endpoints;
      expect(http.host).toBe('127.0.0.1');
      expect(http.port).toBeGreaterThan(0);
      expect(started.info.ui).toBe(`http://127.0.0.1:${http.port}/ui/`);
      expect(started.info.api).toBe(`http://127.0.0.1:${http.port}/api/v1`);
      expect(started.info.apiToken).toBe('dalla-riga-di-comando');
      expect((await curl([`${started.info.api}/clock`])).status).toBe(401);
      expect((await curl(['-H', 'Authorization: Bearer dalla-riga-di-comando', `${started.info.api}/clock`])).status).toBe(200);
    } finally {
      started.child.kill('SIGTERM');
      await exited(started.child);
    }
  });
});
