// The SMTP floor under every PEC flow: the four SMTP transactions a flow makes (the submission,
// the busta to the recipient's gestore, the presa in carico and the avvenuta consegna back to the
// sender's), through the testbed's own SMTP listener and relay thread, with the bytes of a real
// flow, and nothing else: no signing, no parsing, no store, no jobs. Driven by the same client as
// the flow benchmark. A PEC flow carried over SMTP, as the rules and the design want, cannot cost
// less CPU than this on the same machine with the same libraries; the CPU ceiling it prints is
// what the cores could give if the four hops were all a flow did.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestbed } from '../src/testbed/testbed.js';
import { growHeapForThroughput } from '../src/threads/heap-growth.js';
import { startSmtpListener, type SmtpListener } from '../src/smtp/listener.js';
import { startRelayHost } from '../src/smtp/relay-host.js';
import type { TlsPem } from '../src/listener/types.js';
import { rawRsaSignaturesPerSecond } from './rsa.js';
import { SIGNATURES_PER_FLOW } from './flows.js';
import { BENCH_RECIPIENT, BENCH_SENDER, BENCH_TEXT, benchPdf, percentile, startFlowDriver, type FlowDriver } from './flow-driver.js';

export interface FloorResult {
  flows: number;
  seconds: number;
  flowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** bytes of the three relayed messages of one flow */
  relayedBytes: number;
  /** CPU ms per flow of the listeners and the relay thread, and of the client */
  cpuMsPerFlow: number;
  clientCpuMsPerFlow: number;
  cores: number;
  /** cores × 1 s / (server + client CPU per flow): flows/s if the hops had every core to themselves */
  cpuCeiling: number;
  /** raw RSA-2048 signatures/s on one core, measured after the run */
  rawRsaPerSecond: number;
  /** the same ceiling with the flow's four signatures added at raw RSA speed */
  cpuCeilingWithSignatures: number;
  /** half the signing bound of the same machine: the flow benchmark's target */
  halfSigningBound: number;
}

interface SampleFlow {
  busta: Buffer;
  presaInCarico: Buffer;
  consegna: Buffer;
  tls: TlsPem;
  caPem: string;
}

/** one flow through a real testbed, for the bytes each hop carries and the test PKI's TLS identity */
async function sampleFlow(certsDir: string): Promise<SampleFlow> {
  const tb = await startTestbed({ inMemory: true, ports: 'ephemeral', certsDir });
  try {
    await tb.send({
      from: BENCH_SENDER, to: BENCH_RECIPIENT, subject: 'Bench 0', text: BENCH_TEXT,
      attachments: [{ filename: 'atto.pdf', content: benchPdf(), contentType: 'application/pdf' }],
    });
    await tb.idle();
    const raw = (filter: Parameters<typeof tb.messages>[0]): Buffer => {
      const [message] = tb.messages(filter);
      if (!message) throw new Error(`smtp-floor: the sample flow has no ${filter?.kind}`);
      return message.raw();
    };
    return {
      busta: raw({ mailbox: BENCH_RECIPIENT, kind: 'posta-certificata' }),
      presaInCarico: raw({ kind: 'presa-in-carico' }),
      consegna: raw({ mailbox: BENCH_SENDER, kind: 'avvenuta-consegna' }),
      tls: { key: tb.pki.tls.keyPem, cert: tb.pki.tls.certPem },
      caPem: tb.caPem,
    };
  } finally {
    await tb.stop();
  }
}

const headerOf = (raw: Buffer, name: string): string | undefined =>
  new RegExp(`^${name}: *(\\S+)`, 'mi').exec(raw.toString('latin1', 0, Math.min(raw.length, 4096)))?.[1];

export async function benchSmtpFloor(options: { flows?: number; connections?: number; window?: number } = {}): Promise<FloorResult> {
  // as `pec-testbed start` runs
  growHeapForThroughput();
  const flows = options.flows ?? 2000;
  const certsDir = mkdtempSync(join(tmpdir(), 'pec-floor-'));
  const sample = await sampleFlow(certsDir);
  const relay = startRelayHost({ name: 'floor.test', caPem: sample.caPem });
  let failed: (error: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  // The flow's reference rides in a header of its own, as the testbed's X-Riferimento-Message-ID does.
  const forward = (to: SmtpListener, kind: string, ref: string, raw: Buffer): void => {
    const tagged = Buffer.concat([Buffer.from(`X-Floor-Ref: ${ref}\r\nX-Floor-Kind: ${kind}\r\n`), raw]);
    relay.send({ target: { host: '127.0.0.1', port: to.port }, from: BENCH_SENDER, to: [BENCH_RECIPIENT], raw: tagged }).catch(failed);
  };
  const listener = (requireAuth: boolean, onMessage: (raw: Buffer) => void) => startSmtpListener({
    name: 'floor.test', host: '127.0.0.1', port: 0, secure: false, tls: sample.tls, requireAuth,
    authenticate: async (user) => user, maxMessageBytes: 30 * 1024 * 1024,
    onMessage: async (raw) => {
      onMessage(raw);
      return 'OK';
    },
  });
  let driver: FlowDriver | undefined;
  const mxAlfa = await listener(false, (raw) => {
    if (headerOf(raw, 'X-Floor-Kind') === 'avvenuta-consegna') driver?.completed(headerOf(raw, 'X-Floor-Ref')!);
  });
  const mxBeta = await listener(false, (raw) => {
    const ref = headerOf(raw, 'X-Floor-Ref')!;
    forward(mxAlfa, 'presa-in-carico', ref, sample.presaInCarico);
    forward(mxAlfa, 'avvenuta-consegna', ref, sample.consegna);
  });
  const submission = await listener(true, (raw) => forward(mxBeta, 'busta', headerOf(raw, 'Message-ID')!, sample.busta));
  driver = startFlowDriver({
    flows, connections: options.connections ?? 8, window: options.window ?? 64,
    submission: { host: '127.0.0.1', port: submission.port }, ca: sample.caPem,
  });
  let seconds: number, cpu: NodeJS.CpuUsage, clientCpu: number, latencies: number[];
  try {
    const clientCpu0 = await driver.clientCpuMs();
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    await Promise.race([driver.run(), failure]);
    seconds = (Date.now() - t0) / 1000;
    cpu = process.cpuUsage(cpu0);
    clientCpu = (await driver.clientCpuMs()) - clientCpu0;
    latencies = (await driver.latencies()).sort((a, b) => a - b);
  } finally {
    driver.kill();
    relay.close();
    await Promise.all([submission.close(), mxBeta.close(), mxAlfa.close()]);
    rmSync(certsDir, { recursive: true, force: true });
  }
  // measured once everything above has stopped, as the flow benchmark does
  const rawRsaPerSecond = rawRsaSignaturesPerSecond(2000);
  const cpuMsPerFlow = (cpu.user + cpu.system) / 1000 / flows;
  const clientCpuMsPerFlow = clientCpu / flows;
  const cores = availableParallelism();
  const signaturesMs = (SIGNATURES_PER_FLOW * 1000) / rawRsaPerSecond;
  return {
    flows, seconds, flowsPerSecond: flows / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    relayedBytes: sample.busta.length + sample.presaInCarico.length + sample.consegna.length,
    cpuMsPerFlow, clientCpuMsPerFlow, cores, cpuCeiling: (cores * 1000) / (cpuMsPerFlow + clientCpuMsPerFlow),
    rawRsaPerSecond, cpuCeilingWithSignatures: (cores * 1000) / (cpuMsPerFlow + clientCpuMsPerFlow + signaturesMs),
    halfSigningBound: rawRsaPerSecond / SIGNATURES_PER_FLOW / 2,
  };
}

export function formatFloor(r: FloorResult): string {
  return [
    `SMTP floor (the 4 SMTP transactions of a flow, ${(r.relayedBytes / 1024).toFixed(0)} KB relayed, no PEC work): ${r.flows} in ${r.seconds.toFixed(1)} s = ${r.flowsPerSecond.toFixed(1)} flows/s; p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms`,
    `SMTP floor CPU: ${r.cpuMsPerFlow.toFixed(1)} ms per flow (listeners + relay thread), client ${r.clientCpuMsPerFlow.toFixed(1)} ms; ceiling on ${r.cores} cores: ${r.cpuCeiling.toFixed(0)} flows/s, ${r.cpuCeilingWithSignatures.toFixed(0)} with the flow's ${SIGNATURES_PER_FLOW} signatures at raw RSA speed (${r.rawRsaPerSecond.toFixed(0)}/s); half the signing bound: ${r.halfSigningBound.toFixed(0)} flows/s`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatFloor(await benchSmtpFloor({ flows: Number(process.argv[2] ?? 2000) })));
}
