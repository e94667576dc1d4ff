// The relay client against a real SMTP server: what its worker thread reports, read the way the
// engine needs it (accepted, refused for good, retry later), and bytes delivered unchanged.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayClient, PermanentRelayError, TransientRelayError, type RelayClient } from '../../src/smtp/client.js';

const received: Buffer[] = [];
/** connections the server accepted */
let connections = 0;
/** the server answers 421 (closing) to a second transaction on a connection, as when it restarts */
let closeReused = false;
let server: SMTPServer | undefined;
let client: RelayClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  received.length = 0;
  connections = 0;
  closeReused = false;
});

/** refuses RCPT for addresses starting with 550 / 450, and DATA when the sender starts with 554 */
async function startServer(): Promise<{ host: string; port: number }> {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onMailFrom(_address, session, callback) {
      if (closeReused && session.transaction > 1) return callback(Object.assign(new Error('4.3.2 shutting down'), { responseCode: 421 }));
      callback();
    },
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

  it('sends many messages over at most four reused connections per next hop', async () => {
    const target = await startServer();
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    const messages = Array.from({ length: 30 }, (_, i) => Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`));
    const outcomes = await Promise.all(messages.map((m) => client!.send({ target, from: 'a@x.test', to: ['b@y.test'], raw: m })));
    expect(outcomes.every((o) => o.accepted[0] === 'b@y.test')).toBe(true);
    expect(received.map(String).sort()).toEqual(messages.map(String).sort());
    expect(connections).toBeGreaterThan(0);
    expect(connections).toBeLessThanOrEqual(4);
    await client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw });
    expect(connections).toBeLessThanOrEqual(4);
  });

  it('keeps the connection after the peer refused a message, for the next one', async () => {
    const target = await startServer();
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    await client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw });
    await expect(client.send({ target, from: '554@x.test', to: ['b@y.test'], raw })).rejects.toBeInstanceOf(PermanentRelayError);
    await expect(client.send({ target, from: 'a@x.test', to: ['550@y.test'], raw })).resolves.toMatchObject({ accepted: [] });
    await client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw });
    expect(received).toHaveLength(2);
    expect(connections).toBe(1);
  });

  it('sends on a new connection when the peer has closed the idle one', async () => {
    const target = await startServer();
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    await client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw });
    // the server side of every open session goes away, as after the peer's idle timeout or a restart
    for (const connection of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) connection._socket.destroy();
    await expect(client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw })).resolves.toMatchObject({ accepted: ['b@y.test'] });
    expect(received).toHaveLength(2);
    expect(connections).toBe(2);
  });

  it('sends again on a new connection when a reused one is closed with 421 before the message', async () => {
    const target = await startServer();
    closeReused = true;
    client = createRelayClient({ name: 'mx.test', caPem: '' });
    await client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw });
    await expect(client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw })).resolves.toMatchObject({ accepted: ['b@y.test'] });
    expect(received).toEqual([raw, raw]);
    expect(connections).toBe(2);
    await client.send({ target, from: 'a@x.test', to: ['b@y.test'], raw });
    expect(received).toHaveLength(3);
    expect(connections).toBe(3);
  });
});
