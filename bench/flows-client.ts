// The submitting side of the flow benchmark, in its own process (as a real client would be), so
// that its SMTP and TLS work does not count against the testbed. Driven over IPC by bench/flows.ts:
// it submits while fewer than `window` flows are in flight and reports each submission's time.
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
let completed = 0;
const waiters: Array<() => void> = [];

process.on('message', async (message: Start | { type: 'completed' } | { type: 'cpu' }) => {
  if (message.type === 'cpu') {
    const cpu = process.cpuUsage();
    process.send!({ type: 'cpu', ms: (cpu.user + cpu.system) / 1000 });
    return;
  }
  if (message.type === 'completed') {
    completed++;
    waiters.shift()?.();
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
      if (i - completed >= message.window) await new Promise<void>((resolve) => waiters.push(resolve));
      const messageId = `<bench-${i}@app.comune.test>`;
      process.send!({ type: 'submitting', messageId, at: Date.now() });
      await transport.sendMail({
        from: message.sender, to: message.recipient, subject: `Bench ${i}`, messageId,
        text: BENCH_TEXT,
        attachments: [{ filename: 'atto.pdf', content: pdf, contentType: 'application/pdf' }],
      });
    }
  }));
  transport.close();
  process.send!({ type: 'all-submitted' });
});
