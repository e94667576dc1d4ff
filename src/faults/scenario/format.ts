// The sections a scenario file adds to a topology: `topology:` (use another file's), `clock:`,
// `seed:`, `faults:`, `steps:` and `expect:`, as validators for the topology loader's
// `extraSections`. Every mistake is reported with the path of the field and what was expected;
// a send id that an expectation names but no step defines is one of them.
import { EICAR } from '../../gestore/antivirus.js';
import { PEC_VARIANTS } from '../../pec/parse-kind.js';
import { mailAddress } from '../../topology/formats.js';
import type { SectionScope, SectionValidator } from '../../topology/scenario.js';
import {
  Ctx, describe, either, forEachItem, integer, isPlainObject, listOf, oneOf, readObject, string, type Validator,
} from '../../topology/validate.js';
import { duration, realTimeDuration, regex, ruleValidator, FAULT_KINDS } from '../schema.js';
import type { FaultRuleInput } from '../types.js';

export interface ClockSection {
  /** ms since the epoch */
  start?: number;
  /** virtual ms per real ms; default 0: time moves only with `advance` steps */
  speed?: number;
}

export interface SendStep {
  type: 'send';
  /** name the expectations use; default m1, m2 ... in order */
  id: string;
  from: string;
  /** SMTP login and password; default the sender and its mailbox password */
  user?: string;
  password?: string;
  to: string[];
  cc: string[];
  /** envelope only, as a client does with Bcc (the access point refuses it) */
  bcc: string[];
  subject: string;
  text: string;
  headers: Record<string, string>;
  tipoRicevuta?: 'completa' | 'breve' | 'sintetica';
  attachments: Array<{ filename: string; content: string; contentType: string }>;
  /** the whole message as written (header fields and body); CRLF added */
  raw?: string;
  /** SMTP envelope, when it differs from the header fields */
  envelope?: { from: string; to: string[] };
  /** the submission must be refused: with this SMTP code, any code, or by a dropped connection */
  refused?: number | 'any' | 'dropped';
}

export interface WaitStep {
  type: 'wait';
  /** real time to wait at most for the messages (with a running clock) */
  timeout: string;
  mailbox?: string;
  kind?: string;
  count: number;
  /** or just a pause, real time */
  pause?: string;
}

export interface MailboxStep {
  type: 'imap' | 'pop3';
  user: string;
  password?: string;
  /** FETCH / RETR every message after login */
  read: boolean;
  expect: 'ok' | 'refused' | 'dropped';
  /** imap: compared with the previous imap step of the same user */
  uidValidity?: 'changed' | 'same';
}

export type Step =
  | SendStep
  | { type: 'advance'; by: string }
  | WaitStep
  | { type: 'fault'; rule: FaultRuleInput }
  | { type: 'removeFault'; id: string }
  | { type: 'clearFaults' }
  | MailboxStep;

export interface MessageExpectation {
  /** a PEC kind or variant: `errore-consegna` or `errore-consegna-no-dest`, `avvenuta-consegna-breve` */
  kind?: string;
  errore?: string;
  /** daticert tipo as written */
  tipo?: string;
  consegna?: string;
  /** regular expression */
  erroreEsteso?: string;
  subject?: string;
  /** daticert carries msgid (false: it must not) */
  msgid?: boolean;
  /** header fields: name -> regular expression; null: the field must be absent */
  headers?: Record<string, string | null>;
  count: number;
  /** arrival (virtual time) relative to the send, inclusive bounds */
  after?: string;
  before?: string;
  /** the signature verifies (default true for every PEC message) */
  valid?: boolean;
}

export interface MailboxExpectation {
  type: 'mailbox';
  /** the send it is about; absent: every message of the mailbox */
  message?: string;
  /** `sender`, `recipient` (first To, without a magic tag) or an address */
  mailbox: string;
  messages: MessageExpectation[];
  order: 'strict' | 'any';
}

export interface LogExpectation {
  type: 'log';
  actor?: string;
  event: string;
  gestore?: string;
  message?: string;
  min: number;
  max?: number;
}

export type Expectation = MailboxExpectation | LogExpectation;

const addresses: Validator<string[]> = either<string[]>([
  [(v) => typeof v === 'string', (v, ctx) => { const a = mailAddress(v, ctx); return a === undefined ? undefined : [a]; }],
  [Array.isArray, listOf(mailAddress)],
], 'an address or a list of addresses');

const stringMap = (valueValidator: Validator<string | null>): Validator<Record<string, string | null>> => (value, ctx) => {
  if (!isPlainObject(value)) return ctx.fail(`expected a mapping of header names to values, got ${describe(value)}`);
  const out: Record<string, string | null> = {};
  let ok = true;
  for (const [name, v] of Object.entries(value)) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) { ctx.at(name).fail('expected a header name of letters, digits and "-"'); ok = false; continue; }
    const checked = valueValidator(v, ctx.at(name));
    if (checked === undefined) ok = false;
    else out[name] = checked;
  }
  return ok ? out : undefined;
};

const headerValue: Validator<string | null> = (value, ctx) => (typeof value === 'number' ? String(value) : string({ nonEmpty: false })(value, ctx));
const headerPattern: Validator<string | null> = (value, ctx) => (value === null ? null : regex(value, ctx));

const refused: Validator<number | 'any' | 'dropped'> = (value, ctx) => {
  if (value === 'any' || value === 'dropped') return value;
  if (typeof value === 'number') return integer({ min: 400, max: 599 })(value, ctx);
  return ctx.fail(`expected an SMTP code (400-599), "any" or "dropped", got ${describe(value)}`);
};

const dateValue: Validator<number> = (value, ctx) => {
  const at = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? ctx.fail(`expected a date and time such as "2026-03-29T01:30:00+01:00", got ${describe(value)}`) : at;
};

export const clockSection: SectionValidator<ClockSection> = (value, ctx) => {
  const read = readObject(value, ctx, {
    start: { validator: dateValue, required: false },
    speed: { validator: (v, c) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v : c.fail(`expected a number >= 0, got ${describe(v)}`)), required: false },
  });
  return read?.complete ? { start: read.fields.start, speed: read.fields.speed } : undefined;
};

export const seedSection: SectionValidator<string> = (value, ctx) =>
  typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? String(value) : ctx.fail(`expected a number or a string, got ${describe(value)}`);

export const topologySection: SectionValidator<string> = (value, ctx) =>
  string({ pattern: /\S/, patternHint: '"default" or the path of another scenario file' })(value, ctx);

export function faultsSection(): SectionValidator<FaultRuleInput[]> {
  return (value, ctx, scope) => listOf(ruleValidator({ gestori: scope.topology?.gestori.map((g) => g.id) }))(value, ctx);
}

/** what an expected message's `kind` is compared with (expect.ts): a kind, a variant or `ordinaria` */
const MESSAGE_KINDS: readonly string[] = [...new Set<string>([...FAULT_KINDS, ...PEC_VARIANTS])];

const STEP_KEYS = ['send', 'advance', 'wait', 'fault', 'removeFault', 'clearFaults', 'imap', 'pop3'] as const;

function sendStep(value: unknown, ctx: Ctx, index: number, ids: Set<string>): SendStep | undefined {
  const read = readObject(value, ctx, {
    id: { validator: string({ pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, patternHint: 'letters, digits, ".", "_" and "-"' }), required: false },
    from: { validator: mailAddress, required: true },
    user: { validator: mailAddress, required: false },
    password: { validator: string(), required: false },
    to: { validator: addresses, required: false },
    cc: { validator: addresses, required: false },
    bcc: { validator: addresses, required: false },
    subject: { validator: string({ nonEmpty: false }), required: false },
    text: { validator: string({ nonEmpty: false }), required: false },
    headers: { validator: stringMap(headerValue), required: false },
    tipoRicevuta: { validator: oneOf(['completa', 'breve', 'sintetica'] as const), required: false },
    attachments: {
      validator: listOf((v, c) => {
        const a = readObject(v, c, { filename: { validator: string(), required: true }, content: { validator: string({ nonEmpty: false }), required: true }, contentType: { validator: string(), required: false } });
        return a?.complete ? { filename: a.fields.filename!, content: a.fields.content!, contentType: a.fields.contentType ?? 'application/octet-stream' } : undefined;
      }),
      required: false,
    },
    virus: { validator: (v, c) => (v === true ? true : c.fail('expected true (an EICAR test file is attached)')), required: false },
    raw: { validator: string(), required: false },
    envelope: {
      validator: (v, c) => {
        const e = readObject(v, c, { from: { validator: mailAddress, required: true }, to: { validator: addresses, required: true } });
        return e?.complete ? { from: e.fields.from!, to: e.fields.to! } : undefined;
      },
      required: false,
    },
    refused: { validator: refused, required: false },
  });
  if (!read) return undefined;
  const f = read.fields;
  if (f.raw === undefined && (f.to === undefined || f.to.length === 0)) ctx.at('to').fail('missing required key "to" (or give the whole message as "raw")');
  if (f.raw !== undefined && !f.envelope) ctx.at('envelope').fail('a "raw" message needs its SMTP "envelope" { from, to }');
  const id = f.id ?? `m${index}`;
  if (ids.has(id)) ctx.at('id').fail(`send id "${id}" is used twice`);
  ids.add(id);
  if (!read.complete) return undefined;
  const attachments = f.attachments ?? [];
  if (f.virus) attachments.push({ filename: 'eicar.com', content: EICAR, contentType: 'application/octet-stream' });
  return {
    type: 'send', id, from: f.from!, user: f.user, password: f.password, to: f.to ?? [], cc: f.cc ?? [], bcc: f.bcc ?? [],
    subject: f.subject ?? `Scenario ${id}`, text: f.text ?? 'Messaggio di prova del pec-testbed.', headers: (f.headers ?? {}) as Record<string, string>,
    tipoRicevuta: f.tipoRicevuta, attachments, raw: f.raw, envelope: f.envelope, refused: f.refused,
  };
}

function mailboxStep(type: 'imap' | 'pop3', value: unknown, ctx: Ctx): MailboxStep | undefined {
  const read = readObject(value, ctx, {
    user: { validator: mailAddress, required: true },
    password: { validator: string(), required: false },
    read: { validator: (v, c) => (typeof v === 'boolean' ? v : c.fail(`expected true or false, got ${describe(v)}`)), required: false },
    expect: { validator: oneOf(['ok', 'refused', 'dropped'] as const), required: false },
    ...(type === 'imap' ? { uidValidity: { validator: oneOf(['changed', 'same'] as const), required: false } } : {}),
  });
  if (!read?.complete) return undefined;
  const f = read.fields as { user: string; password?: string; read?: boolean; expect?: MailboxStep['expect']; uidValidity?: MailboxStep['uidValidity'] };
  return { type, user: f.user, password: f.password, read: f.read ?? true, expect: f.expect ?? 'ok', uidValidity: f.uidValidity };
}

/** `steps:` and `expect:` share the send ids: made together, per file */
export function stepSections(): { steps: SectionValidator<Step[]>; expect: SectionValidator<Expectation[]> } {
  const ids = new Set<string>();
  let sends = 0;
  const steps: SectionValidator<Step[]> = (value, ctx, scope: SectionScope) => {
    const out: Step[] = [];
    const before = ctx.issueCount;
    forEachItem(value, ctx, (item, itemCtx) => {
      if (!isPlainObject(item) || Object.keys(item).length !== 1) {
        itemCtx.fail(`expected a step with exactly one of ${STEP_KEYS.join(', ')}, got ${describe(item)}${isPlainObject(item) ? ` with keys ${Object.keys(item).join(', ')}` : ''}`);
        return;
      }
      const [key, body] = Object.entries(item)[0];
      const at = itemCtx.at(key);
      let step: Step | undefined;
      switch (key) {
        case 'send': step = sendStep(body, at, ++sends, ids); break;
        case 'advance': { const by = duration(body, at); step = by === undefined ? undefined : { type: 'advance', by }; break; }
        case 'wait': {
          const w = readObject(body, at, {
            timeout: { validator: realTimeDuration, required: false }, mailbox: { validator: mailAddress, required: false },
            kind: { validator: oneOf(FAULT_KINDS), required: false }, count: { validator: integer({ min: 1 }), required: false },
            pause: { validator: realTimeDuration, required: false },
          });
          if (w?.complete && w.fields.mailbox === undefined && w.fields.pause === undefined) at.fail('expected "mailbox" (wait for messages) or "pause" (wait some real time)');
          step = w?.complete ? { type: 'wait', timeout: w.fields.timeout ?? '30s', mailbox: w.fields.mailbox, kind: w.fields.kind, count: w.fields.count ?? 1, pause: w.fields.pause } : undefined;
          break;
        }
        case 'fault': { const rule = ruleValidator({ gestori: scope.topology?.gestori.map((g) => g.id) })(body, at); step = rule && { type: 'fault', rule }; break; }
        case 'removeFault': { const id = string()(body, at); step = id === undefined ? undefined : { type: 'removeFault', id }; break; }
        case 'clearFaults': step = body === true ? { type: 'clearFaults' } : at.fail('expected true'); break;
        case 'imap': case 'pop3': step = mailboxStep(key, body, at); break;
        default: itemCtx.at(key).fail(`unknown step "${key}"; a step is one of ${STEP_KEYS.join(', ')}`);
      }
      if (step) out.push(step);
    }, { minItems: 1 });
    return ctx.issueCount === before ? out : undefined;
  };

  const messageItem: Validator<MessageExpectation> = (value, ctx) => {
    const read = readObject(value, ctx, {
      kind: { validator: oneOf(MESSAGE_KINDS), required: false },
      errore: { validator: oneOf(['nessuno', 'no-dest', 'no-dominio', 'virus', 'altro'] as const), required: false },
      tipo: { validator: string(), required: false },
      consegna: { validator: mailAddress, required: false },
      erroreEsteso: { validator: regex, required: false },
      subject: { validator: regex, required: false },
      msgid: { validator: (v, c) => (typeof v === 'boolean' ? v : c.fail(`expected true or false, got ${describe(v)}`)), required: false },
      headers: { validator: stringMap(headerPattern), required: false },
      count: { validator: integer({ min: 0 }), required: false },
      after: { validator: duration, required: false },
      before: { validator: duration, required: false },
      valid: { validator: (v, c) => (typeof v === 'boolean' ? v : c.fail(`expected true or false, got ${describe(v)}`)), required: false },
    });
    if (!read?.complete) return undefined;
    const out = { ...read.fields, count: read.fields.count ?? 1 } as MessageExpectation;
    for (const key of Object.keys(out) as Array<keyof MessageExpectation>) if (out[key] === undefined) delete out[key];
    return out;
  };

  const knownId = (value: unknown, ctx: Ctx): string | undefined => {
    const id = string()(value, ctx);
    if (id !== undefined && !ids.has(id)) return ctx.fail(`expected the id of a send step (${[...ids].join(', ') || 'none defined'}), got ${describe(id)}`);
    return id;
  };

  const expect: SectionValidator<Expectation[]> = (value, ctx) => {
    const out: Expectation[] = [];
    const before = ctx.issueCount;
    forEachItem(value, ctx, (item, itemCtx) => {
      if (isPlainObject(item) && 'log' in item) {
        const read = readObject(item.log, itemCtx.at('log'), {
          actor: { validator: string(), required: false }, event: { validator: string(), required: true },
          gestore: { validator: string(), required: false }, message: { validator: knownId, required: false },
          min: { validator: integer({ min: 0 }), required: false }, max: { validator: integer({ min: 0 }), required: false },
        });
        if (Object.keys(item).length > 1) itemCtx.fail('a log expectation has only the key "log"');
        if (read?.complete) out.push({ type: 'log', ...read.fields, event: read.fields.event!, min: read.fields.min ?? 1 } as LogExpectation);
        return;
      }
      const read = readObject(item, itemCtx, {
        message: { validator: knownId, required: false },
        mailbox: { validator: (v, c) => (v === 'sender' || v === 'recipient' ? v : mailAddress(v, c)), required: false },
        messages: { validator: listOf(messageItem), required: false },
        none: { validator: (v, c) => (v === true ? true : c.fail('expected true (the mailbox gets nothing about the message)')), required: false },
        order: { validator: oneOf(['strict', 'any'] as const), required: false },
      });
      if (!read?.complete) return;
      const f = read.fields;
      if (f.messages === undefined && !f.none) itemCtx.fail('expected "messages" (a list) or "none: true"');
      if (f.messages !== undefined && f.none) itemCtx.at('none').fail('"none" and "messages" exclude each other');
      if (f.message === undefined && (f.mailbox === undefined || f.mailbox === 'sender' || f.mailbox === 'recipient')) {
        itemCtx.at('mailbox').fail('without "message", name the mailbox by address');
      }
      out.push({ type: 'mailbox', message: f.message, mailbox: f.mailbox ?? 'sender', messages: f.messages ?? [], order: f.order ?? 'strict' });
    }, { minItems: 1 });
    return ctx.issueCount === before ? out : undefined;
  };
  return { steps, expect };
}
