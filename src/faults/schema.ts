// Validating fault rules written by hand (scenario files) or sent as JSON (the HTTP API,
// `tb.faults.add`): every problem is reported with the path of the bad field and what was
// expected, using the topology's validator building blocks. Which matchers and actions a rule
// may use depends on where it applies (points.ts).
import { parseDuration } from '../clock/clock.js';
import { LATEST_TIME } from '../clock/range.js';
import { PEC_KINDS } from '../pec/kinds.js';
import { mailAddress } from '../topology/formats.js';
import {
  Ctx, describe, formatPath, integer, isPlainObject, oneOf, readObject, string,
  type Field, type Issue, type Shape, type Validator,
} from '../topology/validate.js';
import { FAULT_ATS, POINTS } from './points.js';
import type { FaultAction, FaultAt, FaultMatch, FaultRuleInput } from './types.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `12h`, `30m`, `1h30m`, `1500ms`, in whole milliseconds up to `maxMs`; numbers are refused so
 * that nobody wonders about the unit. The bound keeps what a duration becomes valid: a due time
 * or an expiry (virtual time stays within clock/range.ts, and the store keeps whole ms) or a
 * real-time timer (setTimeout fires at once for anything above 2^31-1 ms).
 */
function durationUpTo(maxMs: number, maxText: string): Validator<string> {
  return (value, ctx) => {
    if (typeof value !== 'string') {
      return ctx.fail(`expected a duration such as "30s", "12h" or "1h30m", got ${describe(value)}${typeof value === 'number' ? ` (write "${value}s" or "${value}ms")` : ''}`);
    }
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      return ctx.fail(`expected a duration such as "30s", "12h" or "1h30m", got ${describe(value)}`);
    }
    if (!Number.isInteger(ms)) return ctx.fail(`expected a whole number of milliseconds, got ${describe(value)} (${ms} ms)`);
    if (ms > maxMs) return ctx.fail(`expected a duration of at most ${maxText}, got ${describe(value)}`);
    return value.trim();
  };
}

export const duration: Validator<string> = durationUpTo(LATEST_TIME, `${LATEST_TIME} ms (the span of virtual time)`);
/** a time waited in real time (a delay at the protocol points, a scenario's pause): a Node timer */
export const realTimeDuration: Validator<string> = durationUpTo(MAX_TIMER_MS, `${MAX_TIMER_MS} ms (~24.8 days, a real-time timer)`);

export const regex: Validator<string> = (value, ctx) => {
  const text = string()(value, ctx);
  if (text === undefined) return undefined;
  try {
    new RegExp(text, 'u');
    return text;
  } catch (error) {
    return ctx.fail(`expected a regular expression: ${(error as Error).message}`);
  }
};

/** an address or a pattern with `*` (`*@pec.beta.test`), compared case-insensitively */
const addressPattern: Validator<string> = string({
  maxLength: 320, pattern: /^[^\s]+$/, patternHint: 'an address or a pattern with * such as *@pec.beta.test',
});

export const FAULT_KINDS: readonly string[] = [...PEC_KINDS, 'ordinaria'];

const kinds: Validator<string[]> = (value, ctx) => {
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  list.forEach((item, i) => {
    const checked = oneOf(FAULT_KINDS)(item, Array.isArray(value) ? ctx.at(i) : ctx);
    if (checked !== undefined) out.push(checked);
  });
  return out.length === list.length && out.length > 0 ? out : undefined;
};

const probability: Validator<number> = (value, ctx) =>
  typeof value === 'number' && value >= 0 && value <= 1 ? value : ctx.fail(`expected a number from 0 to 1, got ${describe(value)}`);

const smtpReply: Validator<{ code: number; message: string }> = (value, ctx) => {
  const read = readObject(value, ctx, { code: { validator: integer({ min: 400, max: 599 }), required: true }, message: { validator: string(), required: true } });
  return read?.complete ? { code: read.fields.code!, message: read.fields.message! } : undefined;
};

const trueOnly: Validator<boolean> = (value, ctx) => {
  if (value === true) return true;
  return ctx.fail(value === false ? 'expected true (leave the key out for false)' : `expected true or false, got ${describe(value)}`);
};

const MATCHERS: { [K in keyof FaultMatch]-?: Validator<NonNullable<FaultMatch[K]>> } = {
  gestore: string({ pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, patternHint: 'a gestore id such as "beta"' }),
  sender: addressPattern,
  recipient: addressPattern,
  subject: regex,
  header: (value, ctx) => {
    const read = readObject(value, ctx, { name: { validator: string({ pattern: /^[A-Za-z0-9-]+$/, patternHint: 'a header name' }), required: true }, value: { validator: regex, required: false } });
    return read?.complete ? { name: read.fields.name!, ...(read.fields.value !== undefined ? { value: read.fields.value } : {}) } : undefined;
  },
  kind: kinds,
  service: oneOf(['mx', 'submission'] as const),
  user: addressPattern,
  nth: integer({ min: 1 }),
  probability,
};

function actionValidators(at: FaultAt): { [K in keyof FaultAction]-?: Validator<NonNullable<FaultAction[K]>> } {
  return {
    drop: trueOnly,
    delay: POINTS[at].realTime ? realTimeDuration : duration,
    fail: string({ maxLength: 500 }),
    corruptSignature: trueOnly,
    error: oneOf(POINTS[at].errors ?? []),
    erroreEsteso: string({ maxLength: 500 }),
    erroreEstesoPrefix: string({ nonEmpty: true, maxLength: 100 }),
    duplicate: trueOnly,
    mailbox: mailAddress,
    omitMsgid: trueOnly,
    tipo: oneOf(['preavviso-errore-consegna', 'errore-consegna'] as const),
    reply: smtpReply,
    refuse: string({ maxLength: 500 }),
    resetUidValidity: trueOnly,
  };
}

function shapeOf<T extends object>(keys: ReadonlyArray<keyof T>, validators: { [K in keyof T]-?: Validator<NonNullable<T[K]>> }): Shape {
  return Object.fromEntries(keys.map((key) => [key, { validator: validators[key], required: false } satisfies Field<unknown>]));
}

const times: Validator<number | 'always'> = (value, ctx) => {
  if (value === 'always') return 'always';
  if (value === 'once') return 1;
  if (typeof value === 'number') return integer({ min: 1 })(value, ctx);
  return ctx.fail(`expected a whole number >= 1, "once" or "always", got ${describe(value)}`);
};

export interface RuleScope {
  /** ids of the gestori of the topology, to catch typos in `match.gestore` */
  gestori?: readonly string[];
}

/** Validates one rule; reports through ctx and returns undefined when anything is wrong. */
export function ruleValidator(scope: RuleScope = {}): Validator<FaultRuleInput> {
  return (value, ctx) => {
    const before = ctx.issueCount;
    if (!isPlainObject(value)) return ctx.fail(`expected a fault rule { at, match, do, times, for }, got ${describe(value)}`);
    const at = oneOf(FAULT_ATS)(value.at, ctx.at('at'));
    const read = readObject(value, ctx, {
      id: { validator: string({ maxLength: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, patternHint: 'letters, digits, ".", "_" and "-"' }), required: false },
      description: { validator: string({ maxLength: 500 }), required: false },
      times: { validator: times, required: false },
      for: { validator: duration, required: false },
    }, { allow: ['at', 'match', 'do'] });
    if (value.do === undefined || value.do === null) ctx.at('do').fail('missing required key "do"');
    if (at === undefined || !read) return undefined;

    const spec = POINTS[at];
    const matchKeys = [...spec.matchers, 'nth', 'probability'] as Array<keyof FaultMatch>;
    let match: FaultMatch = {};
    if (value.match !== undefined && value.match !== null) {
      const m = readObject(value.match, ctx.at('match'), shapeOf(matchKeys, MATCHERS));
      match = (m?.fields ?? {}) as FaultMatch;
      for (const key of Object.keys(match) as Array<keyof FaultMatch>) if (match[key] === undefined) delete match[key];
      if (match.gestore !== undefined && scope.gestori && !scope.gestori.includes(match.gestore)) {
        ctx.at('match').at('gestore').fail(`expected one of the topology's gestori (${scope.gestori.join(', ')}), got ${describe(match.gestore)}`);
      }
    }
    let action: FaultAction | undefined;
    if (value.do !== undefined && value.do !== null) {
      const doCtx = ctx.at('do');
      const d = readObject(value.do, doCtx, shapeOf(spec.actions, actionValidators(at)));
      if (d) {
        action = Object.fromEntries(Object.entries(d.fields).filter(([, v]) => v !== undefined)) as FaultAction;
        if (Object.keys(action).length === 0 && ctx.issueCount === before) {
          doCtx.fail(`expected at least one action; at "${at}": ${spec.actions.join(', ')}`);
        }
      }
    }
    if (ctx.issueCount !== before || !action) return undefined;
    const rule: FaultRuleInput = { at, match, do: action };
    if (read.fields.id !== undefined) rule.id = read.fields.id;
    if (read.fields.description !== undefined) rule.description = read.fields.description;
    if (read.fields.times !== undefined) rule.times = read.fields.times;
    if (read.fields.for !== undefined) rule.for = read.fields.for;
    return rule;
  };
}

/** A rule that failed validation: every problem, each with the path of the field. */
export class FaultRuleError extends Error {
  constructor(readonly issues: Issue[]) {
    super(`invalid fault rule: ${issues.map((i) => `${i.path || '(rule)'}: ${i.message}`).join('; ')}`);
    this.name = 'FaultRuleError';
  }
}

/** Validates a rule given as data (JSON); throws FaultRuleError listing every problem. */
export function parseRule(value: unknown, scope: RuleScope = {}): FaultRuleInput {
  const ctx = new Ctx();
  const rule = ruleValidator(scope)(value, ctx);
  if (!rule || ctx.issues.length > 0) {
    throw new FaultRuleError(ctx.issues.map((raw) => ({ path: formatPath(raw.segments), message: raw.message })));
  }
  return rule;
}
