// Durability: a testbed killed with SIGKILL right after answering 250 resumes its accepted work
// on restart, and no receipt is emitted twice.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { parsePec } from '../../src/pec/parse.js';
import { identificativoFromReply } from '../../src/gestore/accesso.js';
import { openStore } from '../../src/store/index.js';
import { exited, startCli } from '../helpers/cli.js';
import { testCertsDir } from '../helpers/testbed.js';

interface StartInfo {
  endpoints: Record<string, { host: string; port: number }>;
  ca: string;
}

const A = 'protocollo@pec.comune-giardinello.test';
const B = 'protocollo@pec.comune-mineo.test';
const N = 12;

function countKinds(dbPath: string, address: string): Map<string, string[]> {
  const store = openStore({ path: dbPath });
  try {
    const byId = new Map<string, string[]>();
    for (const hit of store.findMessages({ address })) {
      const parsed = parsePec(store.getRaw(hit.id));
      const id = parsed.daticert?.identificativo ?? parsed.ids.messageId ?? '?';
      byId.set(id, [...(byId.get(id) ?? []), parsed.variant ?? 'ordinary']);
    }
    return byId;
  } finally {
    store.close();
  }
}

describe('restart mid-flow', () => {
  it('loses nothing and duplicates nothing after SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pec-data-'));
    const certs = testCertsDir();
    const first = await startCli<StartInfo>(['--data-dir', dataDir, '--certs', certs, '--ports', 'ephemeral']);
    const { submission } = first.info.endpoints;
    const transport = nodemailer.createTransport({
      host: submission.host, port: submission.port, secure: false, requireTLS: true, pool: true, maxConnections: 3,
      auth: { user: A, pass: 'pec' }, tls: { ca: readFileSync(first.info.ca, 'utf8') },
    });
    const ids: string[] = [];
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const info = await transport.sendMail({ from: A, to: B, subject: `Durevole ${i}`, text: 'x'.repeat(2000) });
      ids.push(identificativoFromReply(info.response)!);
    }));
    transport.close();
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(ids).toHaveLength(N);
    // The kill must have interrupted work, or this test proves nothing.
    const killed = openStore({ path: join(dataDir, 'store.sqlite') });
    const pendingAtKill = killed.listJobs().length;
    killed.close();
    expect(pendingAtKill).toBeGreaterThan(0);

    const second = await startCli<StartInfo>(['--data-dir', dataDir, '--certs', certs, '--ports', 'ephemeral']);
    const dbPath = join(dataDir, 'store.sqlite');
    const deadline = Date.now() + 60_000;
    let sender = countKinds(dbPath, A);
    while (Date.now() < deadline && ids.some((id) => !(sender.get(id) ?? []).includes('avvenuta-consegna-completa'))) {
      await new Promise((r) => setTimeout(r, 250));
      sender = countKinds(dbPath, A);
    }
    // Let any stray duplicate surface before judging.
    await new Promise((r) => setTimeout(r, 1000));
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);

    sender = countKinds(dbPath, A);
    const recipient = countKinds(dbPath, B);
    const receipts = countKinds(dbPath, 'posta-certificata@pec.alfa.test');
    for (const id of ids) {
      expect(sender.get(id)?.sort(), id).toEqual(['accettazione', 'avvenuta-consegna-completa']);
      expect(recipient.get(`<${id}>`) ?? recipient.get(id), id).toEqual(['posta-certificata']);
      expect(receipts.get(id), id).toEqual(['presa-in-carico']);
    }
  });
});
