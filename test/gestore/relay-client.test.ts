// The relay client against a real SMTP server: what its worker thread reports, read the way the
// engine needs it (accepted, refused for good, retry later), and bytes delivered unchanged.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayClient, PermanentRelayError, TransientRelayError, type RelayClient } from '../../src/smtp/client.js';

const received: Buffer[] = [];
let server: SMTPServer | undefined;
let client: RelayClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  received.length = 0;
});

/** refuses RCPT for addresses starting with 550 / 450, and DATA when the sender starts with 554 */
async function startServer(): Promise<{ host: string; port: number }> {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = Number(address.address.slice(0, 3));
      if (code >= 400) return callback(Object.assign(new Error(`${code === 550 ? '5.1.1' : '4.2.1'} no`), { responseCode: code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (session.envelope.mailFrom && session.envelope.mailFrom.address.startsWith('554')) {
          return callback(Object.assign(new Error('5.7.1 refused'), { responseCode: 554 }));
        }
        received.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server!.server.address() as AddressInfo).port };
}

const raw = Buffer.from('From: a@x.test\r\nSubject: prova\r\n\r\n.line starting with a dot\r\nbody\r\n');

describe('relay client', () => {
  it('delivers the bytes unchanged and reports accepted recipients in lowercase', async () => {
    const target = await startServer();
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    const outcome = await client.send({ target, from: 'a@x.test', to: ['B@Y.test'], raw });
    expect(outcome).toEqual({ accepted: ['b@y.test'], rejected: [] });
    expect(received).toEqual([raw]);
  });

  it('reports recipients refused for good one by one, beside the accepted ones', async () => {
    const target = await startServer();
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    const outcome = await client.send({ target, from: 'a@x.test', to: ['ok@y.test', '550@y.test'], raw });
    expect(outcome.accepted).toEqual(['ok@y.test']);
    expect(outcome.rejected).toEqual([{ address: '550@y.test', code: 550, response: expect.stringContaining('5.1.1') }]);
  });

  it('turns a temporary refusal into a retry, and a refused message into a permanent error', async () => {
    const target = await startServer();
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    await expect(client.send({ target, from: 'a@x.test', to: ['450@y.test'], raw })).rejects.toBeInstanceOf(TransientRelayError);
    const refused = client.send({ target, from: '554@x.test', to: ['ok@y.test'], raw });
    await expect(refused).rejects.toBeInstanceOf(PermanentRelayError);
    await expect(refused).rejects.toMatchObject({ code: 554 });
  });

  it('asks for a retry when the next hop is down or the client is closed', async () => {
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    await expect(client.send({ target: { host: '127.0.0.1', port: 1 }, from: 'a@x.test', to: ['b@y.test'], raw })).rejects.toBeInstanceOf(TransientRelayError);
    client.close();
    await expect(client.send({ target: { host: '127.0.0.1', port: 1 }, from: 'a@x.test', to: ['b@y.test'], raw })).rejects.toBeInstanceOf(TransientRelayError);
  });
});
