// Latency of the wait endpoint: from the moment a receipt is committed to the store to the moment
// the HTTP client waiting for it (GET /api/v1/wait, a long-poll over a real socket) has the whole
// answer. Two measurements:
// - flow: real PEC flows; the waited message is the ricevuta di avvenuta consegna, so the engine
//   is busy signing and relaying around the moment measured (what a test suite sees);
// - direct: a receipt-like message appended to the store with nothing else running, which
//   isolates the path store.onChange -> waiter -> express -> socket -> client.
// `npx tsx bench/wait.ts [samples]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startTestbed, type Testbed } from '../src/testbed/testbed.js';
import { pendingWaits } from '../src/testbed/wait.js';

const SENDER = 'protocollo@pec.comune-giardinello.test';
const RECIPIENT = 'protocollo@pec.comune-mineo.test';

export interface LatencyStats {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export interface WaitBenchResult {
  flow: LatencyStats;
  direct: LatencyStats;
}

function stats(values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return {
    samples: sorted.length,
    p50Ms: at(50),
    p99Ms: at(99),
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    maxMs: sorted[sorted.length - 1],
  };
}

/** resolves once the server holds one more pending wait than `before` (bench only: a tight check, no sleep) */
async function waiterRegistered(before: number): Promise<void> {
  while (pendingWaits() <= before) await new Promise((resolve) => setImmediate(resolve));
}

/** commit time of the first stored message with this X-Riferimento-Message-ID */
function storedAt(tb: Testbed, msgid: string, kind: string): Promise<number> {
  return new Promise((resolve) => {
    const off = tb.store.onChange((_address, change) => {
      if (change.type !== 'exists') return;
      const message = tb.store.getMessage(change.messageId);
      if (message?.refMessageId === msgid && message.kind === kind) {
        const at = performance.now();
        off();
        resolve(at);
      }
    });
  });
}

async function waitOnce(tb: Testbed, msgid: string, kind: string, trigger: () => Promise<unknown> | void): Promise<number> {
  const stored = storedAt(tb, msgid, kind);
  const before = pendingWaits();
  const answered = fetch(`${tb.url}/api/v1/wait?mailbox=${encodeURIComponent(SENDER)}&kind=${kind}&msgid=${encodeURIComponent(msgid)}&timeout=30s`)
    .then(async (res) => {
      const body = (await res.json()) as { messages?: unknown[] };
      if (res.status !== 200 || body.messages?.length !== 1) throw new Error(`wait answered ${res.status}`);
      return performance.now();
    });
  await waiterRegistered(before);
  await trigger();
  const [t0, t1] = await Promise.all([stored, answered]);
  return t1 - t0;
}

export async function benchWait(options: { samples?: number; certsDir?: string } = {}): Promise<WaitBenchResult> {
  const samples = options.samples ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'pec-bench-wait-'));
  const tb = await startTestbed({ inMemory: true, ports: 'ephemeral', certsDir: options.certsDir ?? join(dir, 'certs') });
  try {
    const inbox = tb.store.getFolder(SENDER, 'INBOX')!;
    const warmup = 10;
    const flow: number[] = [];
    for (let i = 0; i < samples + warmup; i++) {
      const msgid = `<bench-flow-${i}@bench.test>`;
      const ms = await waitOnce(tb, msgid, 'avvenuta-consegna', () => tb.send({ from: SENDER, to: RECIPIENT, subject: `Bench ${i}`, messageId: msgid }));
      if (i >= warmup) flow.push(ms);
    }
    await tb.idle();
    const direct: number[] = [];
    const raw = Buffer.from('From: posta-certificata@pec.beta.test\r\nSubject: CONSEGNA: bench\r\n\r\nx\r\n');
    for (let i = 0; i < samples + warmup; i++) {
      const msgid = `<bench-direct-${i}@bench.test>`;
      const ms = await waitOnce(tb, msgid, 'avvenuta-consegna', () => {
        tb.store.appendMessage(inbox.id, raw, { meta: { kind: 'avvenuta-consegna', refMessageId: msgid } });
      });
      if (i >= warmup) direct.push(ms);
    }
    return { flow: stats(flow), direct: stats(direct) };
  } finally {
    await tb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatWait(r: WaitBenchResult): string {
  const line = (name: string, s: LatencyStats) =>
    `${name}: ${s.samples} samples, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, mean ${s.meanMs.toFixed(2)} ms, max ${s.maxMs.toFixed(2)} ms`;
  return [
    'GET /api/v1/wait latency, receipt committed -> HTTP answer read by the client (loopback)',
    line('  during real flows  ', r.flow),
    line('  store append only  ', r.direct),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const samples = Number(process.argv[2] ?? 200);
  console.log(formatWait(await benchWait({ samples })));
}
