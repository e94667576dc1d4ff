// Calls to a worker thread: answers matched to their requests whatever the order, a worker's
// error as a rejection, a dead worker failing only the calls it had and coming back for the next.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerCalls } from '../../src/threads/calls.js';

// Answers `{ id, echo }` after `delayMs`; `{ fail }` answers an error; `{ die }` exits at once.
const ECHO = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.die) process.exit(3);
  if (m.bye) { parentPort.postMessage({ id: -1, bye: true }); parentPort.close(); return; }
  setTimeout(() => parentPort.postMessage(m.fail ? { id: m.id, error: m.fail } : { id: m.id, echo: m.echo }), m.delayMs || 0);
});
`;

function echoCalls() {
  let started = 0;
  const calls = workerCalls<{ id: number; echo: string }>({
    name: 'echo',
    start: () => {
      started++;
      return new Worker(ECHO, { eval: true });
    },
    failure: (cause) => new Error(String(cause)),
  });
  return { calls, started: () => started };
}

describe('worker calls', () => {
  it('matches answers to requests when they come back in another order', async () => {
    const { calls } = echoCalls();
    const slow = calls.call({ echo: 'slow', delayMs: 80 });
    const fast = calls.call({ echo: 'fast', delayMs: 0 });
    expect(await fast).toMatchObject({ echo: 'fast' });
    expect(await slow).toMatchObject({ echo: 'slow' });
    await calls.close();
  });

  it("rejects with the answer's error", async () => {
    const { calls } = echoCalls();
    await expect(calls.call({ fail: 'no such gestore' })).rejects.toThrow('no such gestore');
    await calls.close();
  });

  it('fails the calls in flight when the worker dies, and starts a new one for the next call', async () => {
    const { calls, started } = echoCalls();
    const inFlight = calls.call({ echo: 'lost', delayMs: 500 });
    const dying = calls.call({ die: true });
    await expect(inFlight).rejects.toThrow('echo worker stopped');
    await expect(dying).rejects.toThrow('echo worker stopped');
    expect(await calls.call({ echo: 'again' })).toMatchObject({ echo: 'again' });
    expect(started()).toBe(2);
    await calls.close();
  });

  it('refuses calls once closed', async () => {
    const { calls } = echoCalls();
    await calls.call({ echo: 'first' });
    await calls.close({ bye: true });
    await expect(calls.call({ echo: 'late' })).rejects.toThrow('echo worker closed');
  });
});
