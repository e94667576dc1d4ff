// Running one scenario against a fresh in-memory testbed on ephemeral ports: the testbed takes its
// topology and fault rules, its steps run in order (each followed by "until idle"), then its expectations are judged.
// Time is virtual and, unless the scenario says otherwise, stands still between `advance` steps,
// so a run with a seed and a clock start is the same run every time.
import nodemailer from 'nodemailer';
import { parseDuration } from '../../clock/clock.js';
import { randomIds, seededIds } from '../../pec/ids.js';
import { parsePec } from '../../pec/parse.js';
import type { IdSource } from '../../pec/types.js';
import { identificativoFromReply } from '../../gestore/accesso.js';
import { startTestbed, type Testbed } from '../../testbed/testbed.js';
import { imapSession, pop3Session, type MailboxSessionResult } from './clients.js';
import { composeMessage } from './compose.js';
import type { MailboxStep, SendStep, Step, WaitStep } from './format.js';
import { identificativoOf, judge, type ExpectationResult, type SendRecord } from './expect.js';
import type { ScenarioSpec } from './load.js';

export interface RunOptions {
  /** test PKI directory (default ./certs) */
  certsDir?: string;
  /** override the scenario's seed / clock */
  seed?: string;
  clockStart?: number;
  clockSpeed?: number;
  /** keep every mailbox's messages in the result (golden files, --dump) */
  keepMessages?: boolean;
  /** called once the expectations are judged, while the testbed still runs (tests read it over IMAP) */
  beforeStop?: (tb: Testbed) => Promise<void>;
}

export interface StepResult {
  index: number;
  summary: string;
  passed: boolean;
  /** virtual time when the step ended, ISO 8601 */
  at: string;
  detail?: string;
}

export interface DumpedMessage {
  /** `03-avvenuta-consegna-completa.eml`: order of arrival (then kind) and variant */
  name: string;
  raw: Buffer;
}

export interface ScenarioResult {
  name: string;
  file: string;
  description?: string;
  passed: boolean;
  /** an error that stopped the run (the steps after it did not run) */
  error?: string;
  seed: string | null;
  clockStart: string;
  steps: StepResult[];
  sends: SendRecord[];
  expectations: ExpectationResult[];
  /** real milliseconds the run took (not part of the JSON report: it is not reproducible) */
  durationMs: number;
  mailboxes?: Array<{ address: string; messages: DumpedMessage[] }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function runSend(tb: Testbed, step: SendStep, ids: IdSource): Promise<{ record: SendRecord; result: Omit<StepResult, 'index' | 'at'> }> {
  const at = tb.clock.now();
  const composed = composeMessage(step, at, ids);
  const user = step.user ?? step.from;
  const password = step.password ?? tb.store.getAccount(user)?.password ?? 'pec';
  const transport = nodemailer.createTransport({
    host: tb.endpoints.submission.host, port: tb.endpoints.submission.port, secure: false, requireTLS: true,
    auth: { user, pass: password }, tls: { ca: tb.caPem }, connectionTimeout: 10_000, socketTimeout: 30_000,
  });
  const record: SendRecord = { id: step.id, from: step.from, to: step.to.length ? step.to : composed.envelope.to, at, messageId: composed.messageId, identificativo: null, refused: null };
  const summary = `send ${step.id}: ${step.from} -> ${[...step.to, ...step.cc].join(', ') || composed.envelope.to.join(', ')}`;
  try {
    const info = await transport.sendMail({ envelope: composed.envelope, raw: composed.raw });
    record.identificativo = identificativoFromReply(info.response);
    if (step.refused !== undefined) return { record, result: { summary, passed: false, detail: `expected a refusal (${step.refused}), got ${info.response}` } };
    return { record, result: { summary, passed: true, detail: record.identificativo ? `identificativo ${record.identificativo}` : info.response } };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; message: string };
    record.refused = e.responseCode ? `${e.response ?? e.responseCode}` : `connection: ${e.message}`;
    const expected = step.refused;
    const passed = expected === 'any' ? e.responseCode !== undefined
      : expected === 'dropped' ? e.responseCode === undefined
        : expected !== undefined && e.responseCode === expected;
    return { record, result: { summary, passed, detail: `${expected === undefined ? 'unexpected refusal: ' : 'refused: '}${record.refused}` } };
  } finally {
    transport.close();
  }
}

async function runWait(tb: Testbed, step: WaitStep): Promise<Omit<StepResult, 'index' | 'at'>> {
  if (step.pause) {
    await new Promise((resolve) => setTimeout(resolve, parseDuration(step.pause!)));
    return { summary: `pause ${step.pause}`, passed: true };
  }
  const summary = `wait for ${step.count} ${step.kind ?? 'message(s)'} in ${step.mailbox}`;
  const deadline = Date.now() + parseDuration(step.timeout);
  for (;;) {
    const found = tb.store.findMessages({ address: step.mailbox, folder: 'INBOX' })
      .filter((hit) => !step.kind || parsePec(tb.store.getRaw(hit.id)).kind === step.kind).length;
    if (found >= step.count) return { summary, passed: true, detail: `${found} after virtual ${iso(tb.clock.now())}` };
    if (Date.now() > deadline) return { summary, passed: false, detail: `only ${found} after ${step.timeout} (real time)` };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runMailbox(tb: Testbed, step: MailboxStep, lastUidValidity: Map<string, number>): Promise<Omit<StepResult, 'index' | 'at'>> {
  const password = step.password ?? tb.store.getAccount(step.user)?.password ?? 'pec';
  const endpoint = step.type === 'imap' ? tb.endpoints.imapTls : tb.endpoints.pop3Tls;
  const target = { ...endpoint, caPem: tb.caPem };
  let result: MailboxSessionResult;
  try {
    result = step.type === 'imap' ? await imapSession(target, step.user, password, step.read) : await pop3Session(target, step.user, password, step.read);
  } catch (error) {
    result = { outcome: 'dropped', detail: (error as Error).message, messages: 0 };
  }
  const summary = `${step.type} ${step.user}${step.read ? ' (read all)' : ''}: expect ${step.expect}`;
  const problems: string[] = [];
  if (result.outcome !== step.expect) problems.push(`got ${result.outcome} (${result.detail})`);
  if (step.type === 'imap' && result.uidValidity !== undefined) {
    const before = lastUidValidity.get(step.user);
    if (step.uidValidity && before === undefined) problems.push('no earlier imap step of this user to compare UIDVALIDITY with');
    else if (step.uidValidity === 'changed' && before === result.uidValidity) problems.push(`UIDVALIDITY stayed ${before}`);
    else if (step.uidValidity === 'same' && before !== result.uidValidity) problems.push(`UIDVALIDITY changed from ${before} to ${result.uidValidity}`);
    lastUidValidity.set(step.user, result.uidValidity);
  }
  return { summary, passed: problems.length === 0, detail: problems.length ? problems.join('; ') : `${result.outcome}: ${result.detail}` };
}

/** every mailbox's messages, in a stable order and with stable names */
function dump(tb: Testbed): NonNullable<ScenarioResult['mailboxes']> {
  const out: NonNullable<ScenarioResult['mailboxes']> = [];
  for (const account of [...tb.store.listAccounts()].sort((a, b) => a.address.localeCompare(b.address))) {
    const messages = tb.store.findMessages({ address: account.address }).map((hit) => {
      const raw = tb.store.getRaw(hit.id);
      const parsed = parsePec(raw);
      const variant = parsed.variant ?? 'ordinaria';
      // Arrival order can differ between runs for messages arriving at one virtual instant over
      // concurrent connections: order by time, then by what the message is.
      const key = [String(hit.internalDate).padStart(15, '0'), hit.folder, variant, parsed.daticert?.consegna ?? '', identificativoOf(parsed) ?? '', parsed.ids.messageId ?? ''].join('|');
      return { key, variant, folder: hit.folder, raw };
    }).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (messages.length === 0) continue;
    out.push({
      address: account.address,
      messages: messages.map((m, i) => ({ name: `${String(i + 1).padStart(2, '0')}-${m.folder === 'INBOX' ? '' : `${m.folder}-`}${m.variant}.eml`, raw: m.raw })),
    });
  }
  return out;
}

export async function runScenario(spec: ScenarioSpec, options: RunOptions = {}): Promise<ScenarioResult> {
  const began = Date.now();
  const sections = spec.sections;
  const seed = options.seed ?? sections.seed;
  const clockStart = options.clockStart ?? sections.clock?.start ?? Date.now();
  const result: ScenarioResult = {
    name: spec.name, file: spec.file, description: spec.description, passed: false, seed: seed ?? null, clockStart: iso(clockStart),
    steps: [], sends: [], expectations: [], durationMs: 0,
  };
  const tb = await startTestbed({
    scenario: spec,
    inMemory: true,
    ports: 'ephemeral',
    certsDir: options.certsDir,
    clock: { start: clockStart, speed: options.clockSpeed ?? sections.clock?.speed ?? 0 },
    seed,
  });
  // The runner's own randomness (client Message-IDs, boundaries) follows the seed too.
  const ids = seed !== undefined ? seededIds(`${seed}/scenario-client`) : randomIds();
  const sends = new Map<string, SendRecord>();
  const uidValidity = new Map<string, number>();
  try {
    const steps: Step[] = sections.steps ?? [];
    for (const [i, step] of steps.entries()) {
      let outcome: Omit<StepResult, 'index' | 'at'>;
      switch (step.type) {
        case 'send': {
          const { record, result: r } = await runSend(tb, step, ids);
          sends.set(step.id, record);
          result.sends.push(record);
          outcome = r;
          break;
        }
        case 'advance':
          await tb.advance(step.by);
          outcome = { summary: `advance ${step.by}`, passed: true };
          break;
        case 'wait':
          outcome = await runWait(tb, step);
          break;
        case 'fault': {
          const added = tb.faults.add(step.rule);
          outcome = { summary: `fault ${added.id} at ${added.at}`, passed: true };
          break;
        }
        case 'removeFault':
          outcome = { summary: `remove fault ${step.id}`, passed: tb.faults.remove(step.id), detail: undefined };
          if (!outcome.passed) outcome.detail = 'no such rule';
          break;
        case 'clearFaults':
          tb.faults.clear();
          outcome = { summary: 'clear faults', passed: true };
          break;
        case 'imap':
        case 'pop3':
          outcome = await runMailbox(tb, step, uidValidity);
          break;
      }
      await tb.idle();
      result.steps.push({ index: i + 1, ...outcome, at: iso(tb.clock.now()) });
    }
    result.expectations = judge({
      store: tb.store,
      sends,
      trustedCaPem: [tb.caPem],
      index: new Map(tb.topology.gestori.map((g) => [tb.pki.fingerprint(g.id), { providerName: g.name, managedDomains: g.domains }])),
    }, sections.expect ?? []);
    if (options.keepMessages) result.mailboxes = dump(tb);
    await options.beforeStop?.(tb);
  } catch (error) {
    result.error = (error as Error).stack ?? String(error);
  } finally {
    await tb.stop();
  }
  result.passed = !result.error && result.steps.every((s) => s.passed) && result.expectations.every((e) => e.passed);
  result.durationMs = Date.now() - began;
  return result;
}
