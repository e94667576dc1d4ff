// The long-poll that lets tests never sleep: answers as soon as `count` matching messages exist
// (woken by the store's change events, not by polling), or 408 with what was found at timeout.
import { parseDuration } from '../../clock/clock.js';
import type { Testbed } from '../../testbed/testbed.js';
import { WaitTimeoutError, waitForMessages } from '../../testbed/wait.js';
import { HttpError } from '../errors.js';
import { summaryOf } from '../message-view.js';
import type { Routes } from '../route.js';
import { email, errors, messageFilterQuery, messageSummarySchema } from '../shapes.js';

export const MAX_WAIT_MS = 300_000;

export function waitRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/wait', tag: 'wait',
    summary: 'long-poll until a matching message or receipt exists (or timeout)',
    description: 'Answers 200 with the first `count` matching messages, oldest first, as soon as they are stored; 408 with the ones found so far when `timeout` (real time) passes.',
    query: {
      mailbox: email,
      ...messageFilterQuery,
      count: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
      timeout: { type: 'string', format: 'duration', description: 'real time, e.g. 5s or 1500 (ms); default 30s, at most 300s', default: '30s' },
    },
    responses: {
      200: { description: 'found', schema: { type: 'object', properties: { messages: { type: 'array', items: messageSummarySchema } } } },
      ...errors(400, 404, 408),
    },
  }, async ({ query }, _req, res) => {
    const { count, timeout, ...filter } = query;
    const ms = parseDuration(String(timeout));
    if (ms > MAX_WAIT_MS) throw new HttpError(400, 'bad_request', `timeout must be at most ${MAX_WAIT_MS / 1000}s`, 'timeout');
    if (filter.mailbox !== undefined && !tb.store.getAccount(String(filter.mailbox).toLowerCase())) {
      throw new HttpError(404, 'not_found', `no mailbox ${filter.mailbox}`, 'mailbox');
    }
    const aborted = new AbortController();
    res.on('close', () => aborted.abort(new Error('client went away')));
    try {
      const found = await waitForMessages(tb.store, { ...filter, count, timeout: ms, signal: aborted.signal });
      return { messages: found.map(summaryOf) };
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        throw new HttpError(408, 'timeout', error.message, undefined, { messages: error.found.map(summaryOf) });
      }
      if (aborted.signal.aborted) return undefined;
      throw error;
    }
  });
}
