// The submitting side of the flow benchmarks as seen from the measuring process: forks
// flows-client.ts (the client in its own process, as a real one would be), starts it against a
// submission endpoint, and turns the completions the caller observes into latencies. Shared by
// the testbed's flow benchmark and the SMTP floor, so both are driven the same way.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BENCH_SENDER = 'protocollo@pec.comune-giardinello.test';
export const BENCH_RECIPIENT = 'protocollo@pec.comune-mineo.test';

/** what every benchmark flow submits: ~2.5 KB of text and a 7 KB PDF */
export const BENCH_TEXT = 'Gentile ufficio,\n'.repeat(150);
export function benchPdf(): Buffer {
  const pdf = Buffer.alloc(7 * 1024, 0x41);
  pdf.write('%PDF-1.4\n', 0);
  return pdf;
}

export interface DriveOptions {
  flows: number;
  /** SMTP connections of the client */
  connections: number;
  /** flows in flight at most: without it the submissions queue up and the latency is the queue's */
  window: number;
  submission: { host: string; port: number };
  ca: string;
}

export interface FlowDriver {
  /** the client's own CPU ms so far (its process) */
  clientCpuMs(): Promise<number>;
  /** starts submitting; resolves when every flow has completed */
  run(): Promise<void>;
  /** the caller saw the flow of this client Message-ID end */
  completed(messageId: string): void;
  /** every completion's latency in ms, submit -> completion, in completion order */
  latencies: number[];
  /** called after every completion with the number done so far */
  onProgress?: (done: number) => void;
  kill(): void;
}

export function startFlowDriver(options: DriveOptions): FlowDriver {
  const client = fork(fileURLToPath(new URL('./flows-client.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const submittedAt = new Map<string, number>();
  let reportCpu: (ms: number) => void = () => {};
  let finish: () => void = () => {};
  let done = 0;
  client.on('message', (message: { type: string; messageId?: string; at?: number; ms?: number }) => {
    if (message.type === 'submitting') submittedAt.set(message.messageId!, message.at!);
    if (message.type === 'cpu') reportCpu(message.ms!);
  });
  const driver: FlowDriver = {
    latencies: [],
    clientCpuMs: () => new Promise<number>((resolve) => {
      reportCpu = resolve;
      client.send({ type: 'cpu' });
    }),
    run() {
      const finished = new Promise<void>((resolve) => (finish = resolve));
      client.send({
        type: 'start', flows: options.flows, window: options.window, connections: options.connections,
        host: options.submission.host, port: options.submission.port, ca: options.ca, sender: BENCH_SENDER, recipient: BENCH_RECIPIENT,
      });
      return finished;
    },
    completed(messageId) {
      const start = submittedAt.get(messageId);
      if (start === undefined) return;
      submittedAt.delete(messageId);
      driver.latencies.push(Date.now() - start);
      client.send({ type: 'completed' });
      done++;
      driver.onProgress?.(done);
      if (done === options.flows) finish();
    },
    kill: () => client.kill(),
  };
  return driver;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
