// Judging a scenario's outcome: the messages a mailbox received about one send (correlated by
// identificativo, as consumers do), compared with the expected list by kind, errore, daticert,
// headers, count, order and arrival time in virtual time; every PEC message's signature checked
// too. Each expectation gives a verdict with the details a reader needs when it fails.
import { parseDuration } from '../../clock/clock.js';
import { parsePec, type ParsedPec } from '../../pec/parse.js';
import { verifyPec, type ProviderIndex } from '../../pec/verify.js';
import type { MessageHit, Store } from '../../store/types.js';
import { splitTag } from '../magic.js';
import type { Expectation, MailboxExpectation, MessageExpectation } from './format.js';

export interface SendRecord {
  id: string;
  from: string;
  to: string[];
  /** virtual time of the submission */
  at: number;
  messageId: string;
  identificativo: string | null;
  refused: string | null;
}

export interface ReceivedMessage {
  hit: MessageHit;
  raw: Buffer;
  parsed: ParsedPec;
  /** signature verified (null: not a PEC message) */
  valid: boolean | null;
  reasons: string[];
}

export interface ExpectationResult {
  description: string;
  passed: boolean;
  /** what was found, one line each; the reasons of a failure first */
  details: string[];
}

export interface JudgeContext {
  store: Store;
  sends: Map<string, SendRecord>;
  trustedCaPem: string[];
  index: ProviderIndex;
}

function mailboxOf(expectation: MailboxExpectation, send: SendRecord | undefined): string {
  if (expectation.mailbox === 'sender') return send!.from;
  if (expectation.mailbox === 'recipient') {
    const first = send!.to[0];
    return splitTag(first)?.base ?? first;
  }
  return expectation.mailbox;
}

export function received(ctx: JudgeContext, address: string): ReceivedMessage[] {
  return ctx.store.findMessages({ address, folder: 'INBOX' }).map((hit) => {
    const raw = ctx.store.getRaw(hit.id);
    const parsed = parsePec(raw);
    if (!parsed.kind) return { hit, raw, parsed, valid: null, reasons: [] };
    // The signature is judged, not the consistency checks: provider quirks are inconsistent on purpose.
    const { signature } = verifyPec(raw, { trustedCaPem: ctx.trustedCaPem, index: ctx.index });
    const valid = signature.valid && signature.chainValid && signature.validAtSigningTime;
    return { hit, raw, parsed, valid, reasons: valid ? [] : signature.errors.length ? signature.errors : ['signature, chain or validity check failed'] };
  });
}

/** what a message is about: daticert identificativo, else the busta's (or anomalia's) Message-ID */
export function identificativoOf(parsed: ParsedPec): string | null {
  return parsed.daticert?.identificativo ?? parsed.ids.messageId?.replace(/^<|>$/g, '') ?? null;
}

export function describeMessage(m: ReceivedMessage, since?: number): string {
  const p = m.parsed;
  const parts = [p.variant ?? (p.kind ?? 'ordinaria')];
  if (p.daticert?.tipo && p.daticert.tipo !== p.kind) parts.push(`tipo ${p.daticert.tipo}`);
  if (p.daticert?.consegna) parts.push(`consegna ${p.daticert.consegna}`);
  if (p.daticert?.erroreEsteso) parts.push(`errore-esteso "${p.daticert.erroreEsteso}"`);
  if (p.daticert && p.daticert.msgid === null) parts.push('no msgid');
  if (since !== undefined) parts.push(`at +${formatOffset(m.hit.internalDate - since)}`);
  if (m.valid === false) parts.push(`INVALID SIGNATURE (${m.reasons[0] ?? ''})`);
  return parts.join(', ');
}

export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000); rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${sign}${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

/** why `m` does not match `item`; empty when it does */
function mismatch(item: MessageExpectation, m: ReceivedMessage, since: number | undefined): string[] {
  const p = m.parsed;
  const d = p.daticert;
  const out: string[] = [];
  if (item.kind !== undefined && item.kind !== p.kind && item.kind !== p.variant && !(item.kind === 'ordinaria' && p.kind === null)) out.push(`kind ${p.variant ?? p.kind ?? 'ordinaria'}`);
  if (item.errore !== undefined && item.errore !== (d?.errore ?? null)) out.push(`errore ${d?.errore ?? 'none'}`);
  if (item.tipo !== undefined && item.tipo !== (d?.tipo ?? null)) out.push(`tipo ${d?.tipo ?? 'none'}`);
  if (item.consegna !== undefined && item.consegna !== (d?.consegna ?? null)) out.push(`consegna ${d?.consegna ?? 'none'}`);
  if (item.erroreEsteso !== undefined && !new RegExp(item.erroreEsteso, 'u').test(d?.erroreEsteso ?? '')) out.push(`errore-esteso "${d?.erroreEsteso ?? ''}"`);
  if (item.subject !== undefined && !new RegExp(item.subject, 'u').test(p.subject ?? '')) out.push(`subject "${p.subject ?? ''}"`);
  if (item.msgid !== undefined && item.msgid !== (d?.msgid != null)) out.push(d?.msgid != null ? `msgid ${d.msgid}` : 'no msgid');
  for (const [name, pattern] of Object.entries(item.headers ?? {})) {
    const value = p.headers.get(name);
    if (pattern === null ? value !== undefined : value === undefined || !new RegExp(pattern, 'u').test(value.trim())) out.push(`${name}: ${value ?? '(absent)'}`);
  }
  if (since !== undefined) {
    const offset = m.hit.internalDate - since;
    if (item.after !== undefined && offset < parseDuration(item.after)) out.push(`arrived at +${formatOffset(offset)}, before +${item.after}`);
    if (item.before !== undefined && offset > parseDuration(item.before)) out.push(`arrived at +${formatOffset(offset)}, after +${item.before}`);
  }
  const wantValid = item.valid ?? true;
  if (m.valid !== null && m.valid !== wantValid) out.push(m.valid ? 'signature valid' : `signature invalid: ${m.reasons.join('; ')}`);
  return out;
}

function describeItem(item: MessageExpectation): string {
  const parts = [item.kind ?? 'any message'];
  if (item.errore) parts.push(`errore ${item.errore}`);
  if (item.tipo) parts.push(`tipo ${item.tipo}`);
  if (item.consegna) parts.push(`consegna ${item.consegna}`);
  if (item.erroreEsteso) parts.push(`errore-esteso /${item.erroreEsteso}/`);
  if (item.msgid === false) parts.push('no msgid');
  if (item.after || item.before) parts.push(`at ${item.after ? `>= +${item.after}` : ''}${item.after && item.before ? ' and ' : ''}${item.before ? `<= +${item.before}` : ''}`);
  if (item.valid === false) parts.push('invalid signature');
  return `${parts.join(', ')}${item.count !== 1 ? ` x${item.count}` : ''}`;
}

function judgeMailbox(ctx: JudgeContext, e: MailboxExpectation): ExpectationResult {
  const send = e.message !== undefined ? ctx.sends.get(e.message) : undefined;
  const address = mailboxOf(e, send);
  const subjectLine = `${e.message ? `${e.message} ` : ''}in ${address}: ${e.messages.length ? e.messages.map(describeItem).join('; ') : 'nothing'}`;
  const all = received(ctx, address);
  const about = send ? all.filter((m) => send.identificativo !== null && identificativoOf(m.parsed) === send.identificativo) : all;
  const since = send?.at;
  // With `order: any` arrival order is not part of the outcome (and varies between runs): sorted.
  const described = about.map((m) => describeMessage(m, since));
  const found = e.order === 'any' ? [...described].sort() : described;
  const fail = (reason: string): ExpectationResult => ({ description: subjectLine, passed: false, details: [reason, ...found.map((f) => `got: ${f}`)] });
  if (send && send.identificativo === null && e.messages.some((i) => i.count > 0)) return fail(`${send.id} has no identificativo (the submission was refused: ${send.refused ?? '?'})`);

  const expected = e.messages.flatMap((item) => Array.from({ length: item.count }, () => item));
  if (e.order === 'strict') {
    if (about.length !== expected.length) return fail(`expected ${expected.length} message(s), got ${about.length}`);
    for (let i = 0; i < expected.length; i++) {
      const why = mismatch(expected[i], about[i], since);
      if (why.length) return fail(`message ${i + 1}: expected ${describeItem({ ...expected[i], count: 1 })}; got ${why.join(', ')}`);
    }
  } else {
    const left = [...about];
    for (const item of expected) {
      const at = left.findIndex((m) => mismatch(item, m, since).length === 0);
      if (at < 0) return fail(`no message matches ${describeItem({ ...item, count: 1 })}`);
      left.splice(at, 1);
    }
    if (left.length) return fail(`${left.length} unexpected message(s): ${left.map((m) => describeMessage(m, since)).join(' | ')}`);
  }
  return { description: subjectLine, passed: true, details: found.map((f) => `got: ${f}`) };
}

function judgeLog(ctx: JudgeContext, e: Extract<Expectation, { type: 'log' }>): ExpectationResult {
  const send = e.message !== undefined ? ctx.sends.get(e.message) : undefined;
  const records = ctx.store.queryLog({ event: e.event, actor: e.actor, gestore: e.gestore, identificativo: send?.identificativo ?? undefined });
  const description = `log ${e.actor ? `${e.actor} ` : ''}${e.event}${e.gestore ? ` (${e.gestore})` : ''}${e.message ? ` for ${e.message}` : ''}: ${e.max !== undefined ? `${e.min}..${e.max}` : `at least ${e.min}`}`;
  const passed = records.length >= e.min && (e.max === undefined || records.length <= e.max);
  return { description, passed, details: [`found ${records.length}`] };
}

export function judge(ctx: JudgeContext, expectations: readonly Expectation[]): ExpectationResult[] {
  return expectations.map((e) => (e.type === 'log' ? judgeLog(ctx, e) : judgeMailbox(ctx, e)));
}
