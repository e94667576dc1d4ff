// The submitting side of the flow benchmarks as seen from the measuring process: forks
// flows-client.ts (the client in its own process, as a real one would be), starts it against a
// submission endpoint, and passes on the completions the caller observes (the client turns them
// into latencies). Shared by the testbed's flow benchmark and the SMTP floor, so both are driven
// the same way.
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
  /** every flow's latency in ms, submit -> completion seen, measured by the client */
  latencies(): Promise<number[]>;
  /** called after every completion with the number done so far */
  onProgress?: (done: number) => void;
  kill(): void;
}

// The client keeps the submission times and measures the latencies itself, and completions go to
// it in one message per event-loop turn: the measuring process, which is the testbed's, does as
// little bench work per flow as it can (one IPC message per completion cost it ~0.1 ms).
export function startFlowDriver(options: DriveOptions): FlowDriver {
  const client = fork(fileURLToPath(new URL('./flows-client.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const answers = new Map<string, (value: unknown) => void>();
  client.on('message', (message: { type: string; value: unknown }) => answers.get(message.type)?.(message.value));
  const ask = <T>(type: string) => new Promise<T>((resolve) => {
    answers.set(type, resolve as (value: unknown) => void);
    client.send({ type });
  });
  const seen = new Set<string>();
  let batch: string[] = [];
  const flush = () => {
    if (batch.length > 0) client.send({ type: 'completed', ids: batch });
    batch = [];
  };
  let finish: () => void = () => {};
  const driver: FlowDriver = {
    clientCpuMs: () => ask<number>('cpu'),
    latencies: () => {
      flush();
      return ask<number[]>('latencies');
    },
    run() {
      const finished = new Promise<void>((resolve) => (finish = resolve));
      client.send({
        type: 'start', flows: options.flows, window: options.window, connections: options.connections,
        host: options.submission.host, port: options.submission.port, ca: options.ca, sender: BENCH_SENDER, recipient: BENCH_RECIPIENT,
      });
      return finished;
    },
    completed(messageId) {
      if (seen.has(messageId)) return;
      seen.add(messageId);
      if (batch.length === 0) setImmediate(flush);
      batch.push(messageId);
      driver.onProgress?.(seen.size);
      if (seen.size === options.flows) finish();
    },
    kill: () => client.kill(),
  };
  return driver;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
