// Throughput of whole PEC flows through real sockets on the on-disk SQLite store: a user submits
// a 10 KB message with a PDF to one PEC recipient over SMTP+STARTTLS; a flow ends when the
// ricevuta di avvenuta consegna is stored in the sender's INBOX. Reports flows/s, latency and
// RSS next to the signing bound measured in the same run (raw RSA signatures/s divided by the
// signatures one flow needs: accettazione, busta, presa in carico, avvenuta consegna).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startTestbed } from '../src/testbed/testbed.js';
import { growHeapForThroughput } from '../src/threads/heap-growth.js';
import { rawRsaSignaturesPerSecond } from './rsa.js';
import { BENCH_SENDER, percentile, startFlowDriver } from './flow-driver.js';

export const SIGNATURES_PER_FLOW = 4;

export interface FlowBenchResult {
  flows: number;
  seconds: number;
  flowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: { start: number; end: number; max: number; per1000: number[] };
  rawRsaPerSecond: number;
  /** CPU ms per flow (main thread + worker threads + thread pool) and the event loop's busy share */
  cpuMsPerFlow: number;
  /** CPU ms per flow of the submitting client (its own process) */
  clientCpuMsPerFlow: number;
  eventLoopUtilization: number;
  /** Linux only: CPU ms per flow of the main thread alone, and write calls per flow of the process */
  mainThreadCpuMsPerFlow?: number;
  writeCallsPerFlow?: number;
  signingBound: number;
  ofSigningBound: number;
}

// Linux only (undefined elsewhere). The event loop's busy share also counts the time its thread
// waited for a core, which on two busy cores is much of it; the thread's own CPU time does not.
// Write calls count what the store and the sockets ask of the kernel.
function procSample(): { mainCpuMs: number; writeCalls: number } | undefined {
  try {
    // fields after the command name: utime and stime are the 12th and 13th, in clock ticks (10 ms)
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const io = readFileSync('/proc/self/io', 'utf8');
    return { mainCpuMs: (Number(fields[11]) + Number(fields[12])) * 10, writeCalls: Number(/^syscw: (\d+)$/m.exec(io)?.[1]) };
  } catch {
    return undefined;
  }
}

export async function benchFlows(options: { flows?: number; connections?: number; window?: number; certsDir?: string } = {}): Promise<FlowBenchResult> {
  const flows = options.flows ?? 1000;
  // as `pec-testbed start` runs
  growHeapForThroughput();
  const dataDir = mkdtempSync(join(tmpdir(), 'pec-bench-'));
  const tb = await startTestbed({ dataDir, ports: 'ephemeral', certsDir: options.certsDir ?? join(dataDir, 'certs') });
  const driver = startFlowDriver({
    flows, connections: options.connections ?? 8, window: options.window ?? 64,
    submission: tb.endpoints.submission, ca: tb.caPem,
  });
  const rssSamples: number[] = [];
  driver.onProgress = (done) => {
    if (done % 1000 === 0) rssSamples.push(Math.round(process.memoryUsage().rss / 1048576));
  };
  const senderInbox = tb.store.getFolder(BENCH_SENDER, 'INBOX')!.id;
  const unsubscribe = tb.store.onChange((address, change) => {
    if (address !== BENCH_SENDER || change.type !== 'exists' || change.folderId !== senderInbox) return;
    const message = tb.store.getMessage(change.messageId);
    if (message?.kind === 'avvenuta-consegna' && message.refMessageId) driver.completed(message.refMessageId);
  });

  const rss = () => Math.round(process.memoryUsage().rss / 1048576);
  const rssStart = rss();
  let rssMax = rssStart;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rss())), 200);
  const clientCpu0 = await driver.clientCpuMs();
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const proc0 = procSample();
  await driver.run();
  const seconds = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const proc1 = procSample();
  clearInterval(sampler);
  const clientCpu = (await driver.clientCpuMs()) - clientCpu0;
  const latencies = (await driver.latencies()).sort((a, b) => a - b);
  const rssEnd = rss();
  driver.kill();
  unsubscribe();
  await tb.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const rawRsaPerSecond = rawRsaSignaturesPerSecond(2000);
  const signingBound = rawRsaPerSecond / SIGNATURES_PER_FLOW;
  const flowsPerSecond = flows / seconds;
  return {
    flows, seconds, flowsPerSecond,
    p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    rssMb: { start: rssStart, end: rssEnd, max: rssMax, per1000: rssSamples },
    rawRsaPerSecond, signingBound, ofSigningBound: flowsPerSecond / signingBound,
    cpuMsPerFlow: (cpu.user + cpu.system) / 1000 / flows, eventLoopUtilization: elu, clientCpuMsPerFlow: clientCpu / flows,
    ...(proc0 && proc1 && {
      mainThreadCpuMsPerFlow: (proc1.mainCpuMs - proc0.mainCpuMs) / flows,
      writeCallsPerFlow: (proc1.writeCalls - proc0.writeCalls) / flows,
    }),
  };
}

export function formatFlows(r: FlowBenchResult): string {
  return [
    `flows: ${r.flows} in ${r.seconds.toFixed(1)} s = ${r.flowsPerSecond.toFixed(1)} flows/s (until avvenuta consegna stored at the sender)`,
    `latency submit -> avvenuta consegna: p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms`,
    `testbed CPU: ${r.cpuMsPerFlow.toFixed(1)} ms per flow (event loop: ${(r.eventLoopUtilization * r.seconds * 1000 / r.flows).toFixed(1)} ms, busy ${(r.eventLoopUtilization * 100).toFixed(0)}% of the run${r.mainThreadCpuMsPerFlow === undefined ? '' : `; main thread's own CPU ${r.mainThreadCpuMsPerFlow.toFixed(1)} ms`}); client CPU: ${r.clientCpuMsPerFlow.toFixed(1)} ms per flow`,
    ...(r.writeCallsPerFlow === undefined ? [] : [`write calls: ${r.writeCallsPerFlow.toFixed(0)} per flow (store and sockets)`]),
    `RSS: ${r.rssMb.start} MB at start, ${r.rssMb.max} MB max, ${r.rssMb.end} MB at end${r.rssMb.per1000.length > 1 ? `; every 1000 flows: ${r.rssMb.per1000.join(' ')}` : ''}`,
    `signing bound: ${r.rawRsaPerSecond.toFixed(0)} raw RSA-2048 signatures/s / ${SIGNATURES_PER_FLOW} per flow = ${r.signingBound.toFixed(0)} flows/s; reached ${(r.ofSigningBound * 100).toFixed(0)}%`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const flows = Number(process.argv[2] ?? 1000);
  console.log(formatFlows(await benchFlows({ flows })));
}
