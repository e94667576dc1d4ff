// The virtual clock: read it, move it forward (the 12 h / 24 h timers fire in order, and the
// answer comes once the work they cause is done), change its speed.
import { parseDuration } from '../../clock/clock.js';
import type { Testbed } from '../../testbed/testbed.js';
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
    body: { type: 'object', required: ['by'], properties: { by: { type: 'string', format: 'duration', description: 'e.g. 12h, 90s, 1h30m, 2d' } } },
    responses: { 200: { description: 'the clock after', schema: clockSchema }, ...errors(400, 415) },
  }, async ({ body }) => {
    // stops at every job due on the way, so timers fire in order at their own virtual time
    await tb.advance(parseDuration(body.by));
    return clockJson(tb);
  });

  routes.add({
    method: 'post', path: '/clock/speed', tag: 'clock', summary: 'set the speed: virtual ms per real ms (0 pauses, 7200 makes 12 h pass in 6 s)',
    body: { type: 'object', required: ['speed'], properties: { speed: { type: 'number', minimum: 0, maximum: 1e9 } } },
    responses: { 200: { description: 'the clock after', schema: clockSchema }, ...errors(400, 415) },
  }, ({ body }) => {
    tb.clock.setSpeed(body.speed);
    return clockJson(tb);
  });
}
