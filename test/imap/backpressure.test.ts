// A client that pipelines commands and does not read the answers must not make the server buffer
// them all: the session stops taking commands while its answers wait in the socket. Measured on
// the server's own sockets (the server runs in this process), as the most bytes ever waiting in
// one's write buffer, so the verdict does not depend on timing or on the machine's memory.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './raw-client.js';
import { PASSWORD, simpleMessage, startFixture, USER, type Fixture } from './helpers.js';

let f: Fixture | null = null;
let restoreWrite: (() => void) | null = null;

afterEach(async () => {
  restoreWrite?.();
  restoreWrite = null;
  await f?.close();
  f = null;
});

interface OutputWatch {
  /** most bytes seen waiting in a server socket's write buffer */
  maxBacklog: number;
  /** resolves once the server's answers back up (write returned false) or it wrote `lastTag`'s answer */
  settled: Promise<void>;
}

/** wraps net.Socket#write to watch the server side of connections to `port` */
function watchServerOutput(port: number, lastTag: string): OutputWatch {
  const proto = net.Socket.prototype;
  const hadOwn = Object.prototype.hasOwnProperty.call(proto, 'write');
  const original = proto.write;
  let settle!: () => void;
  const watch: OutputWatch = { maxBacklog: 0, settled: new Promise((resolve) => (settle = resolve)) };
  proto.write = function (this: net.Socket, ...args: unknown[]): boolean {
    const accepted = (original as (...a: unknown[]) => boolean).apply(this, args);
    if (this.localPort === port) {
      watch.maxBacklog = Math.max(watch.maxBacklog, this.writableLength);
      // a machine whose socket buffers swallow every answer never backs up; the test then only
      // checks the answers (there was nothing to hold back)
      if (!accepted || (typeof args[0] === 'string' && args[0].startsWith(`${lastTag} `))) settle();
    }
    return accepted;
  } as typeof original;
  restoreWrite = () => {
    if (hadOwn) proto.write = original;
    else delete (proto as { write?: unknown }).write;
  };
  return watch;
}

/**
 * Pipelines `count` commands without reading, waits until the server's answers back up, then
 * reads everything: each tagged answer must arrive, in order, after exactly `untagged` lines.
 */
async function pipelineUnread(fx: Fixture, client: RawClient, command: string, count: number, untagged: RegExp): Promise<OutputWatch> {
  const watch = watchServerOutput(fx.port, `t${count - 1}`);
  client.pause();
  client.send(Array.from({ length: count }, (_, i) => `t${i} ${command}\r\n`).join(''));
  await watch.settled;
  client.resume();
  const wrong: string[] = [];
  for (let i = 0; i < count; i++) {
    const lines = await client.until(`t${i}`, 30_000);
    if (lines.length !== 2 || !untagged.test(lines[0]) || !/^t\d+ OK /.test(lines[1])) wrong.push(lines.join(' | ').slice(0, 200));
  }
  expect(wrong).toEqual([]);
  return watch;
}

// the server socket's high-water mark is 16 KiB; one answer here is at most 4 KiB
const BOUND = 256 * 1024;

describe('backpressure on answers', () => {
  it('stops reading pipelined SEARCH commands while their answers are not read', async () => {
    const fx = (f = await startFixture());
    // 1,000 messages: each `SEARCH ALL` (14 bytes) is answered with about 4 KB
    for (let i = 0; i < 1000; i++) fx.store.appendMessage(fx.inbox(), simpleMessage(`m${i}`));
    const { client } = await RawClient.connect(fx.port);
    expect((await client.command('L', `LOGIN ${USER} ${PASSWORD}`)).at(-1)).toMatch(/^L OK/);
    expect((await client.command('S', 'SELECT INBOX')).at(-1)).toMatch(/^S OK/);
    const watch = await pipelineUnread(fx, client, 'SEARCH ALL', 10_000, /^\* SEARCH 1 2 3 .* 1000$/);
    expect(watch.maxBacklog).toBeLessThan(BOUND);
    expect((await client.command('n', 'NOOP')).at(-1)).toBe('n OK NOOP completed');
    client.destroy();
  });

  it('stops reading pipelined CAPABILITY commands before login too', async () => {
    const fx = (f = await startFixture());
    const { client } = await RawClient.connect(fx.port);
    const watch = await pipelineUnread(fx, client, 'CAPABILITY', 100_000, /^\* CAPABILITY IMAP4rev1 /);
    expect(watch.maxBacklog).toBeLessThan(BOUND);
    client.destroy();
  });

  it('closes the session of a client that leaves while its answers are backed up', async () => {
    const fx = (f = await startFixture());
    const { client } = await RawClient.connect(fx.port);
    const count = 100_000;
    const watch = watchServerOutput(fx.port, `t${count - 1}`);
    client.pause();
    client.send(Array.from({ length: count }, (_, i) => `t${i} CAPABILITY\r\n`).join(''));
    await watch.settled;
    client.destroy();
    await expect.poll(() => fx.events.some((e) => e.event === 'imap.close'), { timeout: 10_000 }).toBe(true);
    // the server goes on serving others
    const { client: other } = await RawClient.connect(fx.port);
    expect((await other.command('n', 'NOOP')).at(-1)).toBe('n OK NOOP completed');
    other.destroy();
  });
});
