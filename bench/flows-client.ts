// The submitting side of the flow benchmark, in its own process (as a real client would be), so
// that its SMTP and TLS work does not count against the testbed. Driven over IPC by flow-driver.ts:
// it submits while fewer than `window` flows are in flight, and measures each flow's latency from
// its submission to the completion the driver reports.
import nodemailer from 'nodemailer';
import { BENCH_TEXT, benchPdf } from './flow-driver.js';

interface Start {
  type: 'start';
  flows: number;
  window: number;
  connections: number;
  host: string;
  port: number;
  ca: string;
  sender: string;
  recipient: string;
}

const pdf = benchPdf();
const submittedAt = new Map<string, number>();
const latencies: number[] = [];
const waiters: Array<() => void> = [];

type Request = Start | { type: 'completed'; ids: string[] } | { type: 'cpu' } | { type: 'latencies' };

process.on('message', async (message: Request) => {
  if (message.type === 'cpu') {
    const cpu = process.cpuUsage();
    process.send!({ type: 'cpu', value: (cpu.user + cpu.system) / 1000 });
    return;
  }
  if (message.type === 'latencies') {
    process.send!({ type: 'latencies', value: latencies });
    return;
  }
  if (message.type === 'completed') {
    const now = Date.now();
    for (const id of message.ids) {
      const at = submittedAt.get(id);
      if (at === undefined) continue;
      submittedAt.delete(id);
      latencies.push(now - at);
      waiters.shift()?.();
    }
    return;
  }
  const transport = nodemailer.createTransport({
    host: message.host, port: message.port, secure: false, requireTLS: true,
    pool: true, maxConnections: message.connections, maxMessages: Infinity,
    auth: { user: message.sender, pass: 'pec' }, tls: { ca: message.ca },
  });
  let next = 0;
  await Promise.all(Array.from({ length: message.connections }, async () => {
    while (next < message.flows) {
      const i = next++;
      if (i - latencies.length >= message.window) await new Promise<void>((resolve) => waiters.push(resolve));
      const messageId = `<bench-${i}@app.comune.test>`;
      submittedAt.set(messageId, Date.now());
      await transport.sendMail({
        from: message.sender, to: message.recipient, subject: `Bench ${i}`, messageId,
        text: BENCH_TEXT,
        attachments: [{ filename: 'atto.pdf', content: pdf, contentType: 'application/pdf' }],
      });
    }
  }));
  transport.close();
});
