// The virtual clock: read it, move it forward (the 12 h / 24 h timers fire in order, and the
// answer comes once the work they cause is done), change its speed. A move the clock refuses
// (past its latest time, or not whole milliseconds) is a 400 naming `by` and what it could be.
import { ClockRangeError, EARLIEST_TIME, LATEST_TIME } from '../../clock/range.js';
import type { Testbed } from '../../testbed/testbed.js';
import { HttpError } from '../errors.js';
import type { Routes } from '../route.js';
import { errors } from '../shapes.js';

const clockSchema = {
  type: 'object' as const,
  properties: {
    now: { type: 'string' as const, format: 'date-time' },
    ms: { type: 'integer' as const, description: 'ms since the epoch' },
    speed: { type: 'number' as const, description: 'virtual ms per real ms; 0 = paused' },
  },
};

const LATEST_ISO = new Date(LATEST_TIME).toISOString();

/** the clock's refusal as the client's error: the field, and the values it could have had */
function refusedMove(error: ClockRangeError, field: string): HttpError {
  return new HttpError(400, 'bad_request', error.message, field, error.allowed ? { range: { ...error.allowed, unit: 'ms', latest: LATEST_ISO } } : {});
}

export function clockJson(tb: Testbed) {
  const ms = tb.clock.now();
  return { now: new Date(ms).toISOString(), ms, speed: tb.clock.speed };
}

export function clockRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/clock', tag: 'clock', summary: 'the virtual clock',
    responses: { 200: { description: 'now and speed', schema: clockSchema } },
  }, () => clockJson(tb));

  routes.add({
    method: 'post', path: '/clock/advance', tag: 'clock',
    summary: 'move virtual time forward; timers due in between fire in order; answers when the work they cause is done',
    description: `Virtual time is a whole number of ms from ${new Date(EARLIEST_TIME).toISOString()} to ${LATEST_ISO} (the end of year 9989 in Rome: certificates issued then, valid ten years, still end in a four-digit year). `
      + 'A move past that, or by a fraction of a millisecond, is refused with 400 and the clock does not move; the error body has `range: { min, max, unit }`, what `by` could have been.',
    body: {
      type: 'object',
      required: ['by'],
      properties: { by: { type: 'string', format: 'duration', description: `e.g. 12h, 90s, 1h30m, 2d, or ms; whole milliseconds, at most up to ${LATEST_ISO}` } },
    },
    responses: { 200: { description: 'the clock after', schema: clockSchema }, ...errors(400, 415) },
  }, async ({ body }) => {
    try {
      // stops at every job due on the way, so timers fire in order at their own virtual time
      await tb.advance(body.by);
    } catch (error) {
      // refused before anything moved (clock/step.ts)
      if (error instanceof ClockRangeError) throw refusedMove(error, 'by');
      throw error;
    }
    return clockJson(tb);
  });

  routes.add({
    method: 'post', path: '/clock/speed', tag: 'clock', summary: 'set the speed: virtual ms per real ms (0 pauses, 7200 makes 12 h pass in 6 s)',
    description: `A running clock stops at ${LATEST_ISO}, the latest virtual time, and stays there.`,
    body: { type: 'object', required: ['speed'], properties: { speed: { type: 'number', minimum: 0, maximum: 1e9 } } },
    responses: { 200: { description: 'the clock after', schema: clockSchema }, ...errors(400, 415) },
  }, ({ body }) => {
    tb.clock.setSpeed(body.speed);
    return clockJson(tb);
  });
}
