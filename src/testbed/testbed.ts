// Wires one testbed: topology, store, PKI, clock, the gestori's engine and job runner, and every
// listener of design.md (MX, submission, IMAP, POP3, HTTP API + UI). It is the in-process API
// tests use (`startTestbed`) and what `pec-testbed start` runs.
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startHttpServer } from '../api/server.js';
import { VirtualClock } from '../clock/clock.js';
import { recordClock, resumeTime, type ClockRecorder } from '../clock/resume.js';
import { advanceThrough } from '../clock/step.js';
import { FaultRegistry, imapFaults, pop3Faults, smtpFaults } from '../faults/index.js';
import { loadScenarioSpec, type ScenarioSections } from '../faults/scenario/load.js';
import { createDirectory } from '../gestore/directory.js';
import { createEngine } from '../gestore/engine.js';
import type { EngineContext } from '../gestore/context.js';
import type { FaultPoints } from '../gestore/faults.js';
import { JobRunner } from '../gestore/runner.js';
import { scopedSeeds } from '../gestore/scoped-ids.js';
import { startPecThread } from '../gestore/pec-thread.js';
import { randomIds, seededIds } from '../pec/ids.js';
import type { GestoreIdentity } from '../pec/types.js';
import { loadOrCreatePki, signersRenewAt, type TestPki } from '../pki/test-pki.js';
import { startImapServer } from '../imap/index.js';
import { startPop3Server } from '../pop3/index.js';
import { createRelayClient } from '../smtp/client.js';
import { startSmtpListener } from '../smtp/listener.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { certRequestsOf } from '../topology/certificates.js';
import { buildIndex, type ProviderIndex } from '../topology/igpec.js';
import { defaultScenarioPath } from '../topology/package-paths.js';
import type { Scenario } from '../topology/scenario.js';
import type { Topology } from '../topology/topology.js';
import { findMessages, withContent, type MessageFilter, type TestbedMessage } from './messages.js';
import { submitAs, type SendRequest, type SendResult } from './send.js';
import { watchSignerValidity } from './signer-renewal.js';
import { waitForMessages, type WaitQuery } from './wait.js';

export const SERVICES = ['mx', 'submission', 'submissionTls', 'imap', 'imapTls', 'pop3', 'pop3Tls', 'http'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** design.md: standard port + 2000 */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  mx: 2025,
  submission: 2587,
  submissionTls: 2465,
  imap: 2143,
  imapTls: 2993,
  pop3: 2110,
  pop3Tls: 2995,
  http: 2080,
};

export interface Endpoint {
  host: string;
  port: number;
}

export interface TestbedOptions {
  /**
   * a scenario file, or one already loaded; default scenarios/default.yaml. Its topology and its
   * `faults:` are used (a file without `gestori:` runs on the default topology); `steps:` and
   * `expect:` are for `scenario run`.
   */
  scenario?: string | Scenario<Record<string, unknown>>;
  /** on-disk store directory (default ./.pec-testbed); ignored with inMemory */
  dataDir?: string;
  inMemory?: boolean;
  /** test PKI directory (default ./certs) */
  certsDir?: string;
  host?: string;
  /** 'ephemeral' = every port 0; or per-service overrides of DEFAULT_PORTS */
  ports?: 'ephemeral' | Partial<Record<ServiceName, number>>;
  /** virtual clock: start (ms or ISO date) and speed factor */
  clock?: { start?: number | string; speed?: number };
  /** makes identificativi, Message-IDs and MIME boundaries reproducible */
  seed?: number | string;
  /** AUTH before STARTTLS on submission (off: the rules want TLS) */
  allowInsecureAuth?: boolean;
  /** replaces the fault registry as the engine's seam (tb.faults then has no effect) */
  faults?: FaultPoints;
  /** receives one line per provider log event */
  onLog?: (line: string) => void;
  /** token the HTTP API and web UI require; when `host` is not loopback and none is given, one is generated */
  apiToken?: string;
}

export interface ResetOptions {
  /** also drop mailboxes created at run time and restore the scenario's own (passwords, quotas) */
  reseed?: boolean;
}

export interface MailboxInfo {
  address: string;
  password: string;
  gestore: string | null;
}

export interface Testbed {
  endpoints: Record<ServiceName, Endpoint>;
  mailboxes: MailboxInfo[];
  caPath: string;
  /** ca.pem as it is now (a renewal at a virtual time past the CA's end stretches it, same key) */
  readonly caPem: string;
  /** the test PKI in use: renewed when the virtual time reaches the end of the signers */
  readonly pki: TestPki;
  store: Store;
  clock: VirtualClock;
  topology: Topology;
  /** the providers' index in force (the signers' certificates as last renewed) */
  readonly index: ProviderIndex;
  scenario: Scenario<Record<string, unknown>>;
  context: EngineContext;
  /** resolves when no job is due and none is running (virtual time is not advanced) */
  idle(): Promise<void>;
  /**
   * moves virtual time forward by `duration` (ms or `12h`), stopping at each job that falls due
   * so that everything due in between happens in order at its own time; resolves once idle
   */
  advance(duration: number | string): Promise<number>;
  /** the fault rules of this testbed: add(rule) / list() / remove(id) / clear(); kept in the store */
  faults: FaultRegistry;
  /** base URL of the HTTP API (/api/v1) and the web UI, e.g. http://127.0.0.1:2080 */
  readonly url: string;
  /** what the HTTP API requires as `Authorization: Bearer`; null: no token (loopback only) */
  readonly apiToken: string | null;
  /** submits as a user through the real punto di accesso (SMTP, STARTTLS, AUTH) */
  send(request: SendRequest): Promise<SendResult>;
  /** resolves once `count` matching messages exist; rejects with WaitTimeoutError after `timeout` */
  waitFor(query: WaitQuery): Promise<TestbedMessage[]>;
  messages(filter?: MessageFilter): TestbedMessage[];
  /** waits for running work, then empties mailboxes, flows, jobs and log (store.reset); fault rules stay */
  reset(options?: ResetOptions): Promise<void>;
  stop(): Promise<void>;
}

function passwordMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** creates the topology's accounts and the gestori's receipt mailboxes; aligns changed settings */
function provisionAccounts(store: Store, topology: Topology): MailboxInfo[] {
  const wanted = [
    ...topology.accounts(),
    ...topology.gestori.map((g) => ({ address: g.receiptMailbox, password: 'pec', quotaBytes: null, enabled: true, gestore: g.id })),
  ];
  const out: MailboxInfo[] = [];
  store.transaction(() => {
    for (const account of wanted) {
      const address = account.address.toLowerCase();
      if (out.some((m) => m.address === address)) continue;
      const existing = store.getAccount(address);
      if (!existing) {
        store.createAccount({ address, password: account.password, gestore: account.gestore, quotaBytes: account.quotaBytes, enabled: account.enabled });
      } else if (existing.password !== account.password || existing.quotaBytes !== account.quotaBytes || existing.enabled !== account.enabled) {
        store.updateAccount(address, { password: account.password, quotaBytes: account.quotaBytes, enabled: account.enabled });
      }
      out.push({ address, password: account.password, gestore: account.gestore });
    }
  });
  return out;
}

/** drops mailboxes created at run time, then restores the topology's own */
function reseedAccounts(store: Store, topology: Topology): void {
  const wanted = new Set([...topology.accounts(), ...topology.gestori.map((g) => ({ address: g.receiptMailbox }))].map((a) => a.address.toLowerCase()));
  store.transaction(() => {
    for (const account of store.listAccounts()) if (!wanted.has(account.address)) store.deleteAccount(account.address);
  });
  provisionAccounts(store, topology);
}

function startOf(start: number | string | undefined): number | undefined {
  if (start === undefined) return undefined;
  const at = typeof start === 'string' ? Date.parse(start) : start;
  if (Number.isNaN(at)) throw new Error(`not a date: ${start}`);
  return at;
}

function portsFor(option: TestbedOptions['ports']): Record<ServiceName, number> {
  if (option === 'ephemeral') return Object.fromEntries(SERVICES.map((s) => [s, 0])) as Record<ServiceName, number>;
  return { ...DEFAULT_PORTS, ...(option ?? {}) };
}

export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const host = options.host ?? '127.0.0.1';
  const scenario = typeof options.scenario === 'object'
    ? options.scenario
    : loadScenarioSpec(options.scenario ?? defaultScenarioPath());
  const topology = scenario.topology;
  const startAt = startOf(options.clock?.start);
  const clock = new VirtualClock({ start: startAt, speed: options.clock?.speed });

  let store: Store;
  let clockRecorder: ClockRecorder | null = null;
  if (options.inMemory) {
    store = openStore({ inMemory: true, clock });
  } else {
    const dataDir = resolve(options.dataDir ?? '.pec-testbed');
    mkdirSync(dataDir, { recursive: true });
    store = openStore({ path: join(dataDir, 'store.sqlite'), clock });
    // Virtual time never goes backwards across a restart, whatever --clock-start says.
    const last = resumeTime(store);
    if (last !== undefined && last > clock.now()) clock.set(last);
    clockRecorder = recordClock(clock, store);
  }
  // Receipts are signed, and strict verifiers check them, at virtual time: after any resume, and
  // again whenever the clock reaches the end of the signers (signer-renewal.ts).
  const pkiAt = () => loadOrCreatePki({
    dir: resolve(options.certsDir ?? 'certs'), gestori: certRequestsOf(topology), hostnames: [host], signingAt: new Date(clock.now()),
  });
  const indexOf = (p: TestPki) => buildIndex(topology, { certificatePem: (id) => p.signers.get(id)!.certPem, fingerprint: (id) => p.fingerprint(id) });
  const identitiesOf = (p: TestPki) => ({
    identities: topology.gestori.map((g): GestoreIdentity => ({ id: g.id, name: g.name, mailDomain: g.mailDomain, dialect: g.dialect, signer: p.signers.get(g.id)! })),
    trustedCaPem: [p.caCertPem],
  });
  let pki: TestPki;
  try {
    pki = pkiAt();
  } catch (error) {
    clockRecorder?.close();
    store.close();
    throw error;
  }
  /** the index in force first, then the one the last renewal replaced */
  let indexes: ProviderIndex[] = [indexOf(pki)];
  const faults = new FaultRegistry({
    clock,
    seed: options.seed,
    gestori: topology.gestori.map((g) => g.id),
    magicAddress: (address) => topology.gestoreOfAddress(address) !== undefined && !store.getAccount(address),
    onApplied: (rule, point, subject) => store.appendLog({
      at: clock.now(), gestore: subject.gestore ?? 'testbed', actor: 'fault', event: 'applicata', identificativo: subject.identificativo ?? null,
      detail: { rule: rule.id, at: rule.at, point, recipient: subject.recipient ?? null, user: subject.user ?? null },
    }),
    // Rules added at run time outlive a restart on the same data dir, like the mail work does.
    store,
    onWarning: (message, detail) => {
      process.emitWarning(message, { code: 'PEC_TESTBED_FAULT_RULE' });
      store.appendLog({ at: clock.now(), gestore: 'testbed', actor: 'fault', event: 'avviso', detail: { message, ...detail } });
    },
  });
  faults.restore((scenario.sections as ScenarioSections).faults ?? []);
  const protocolFaults = { faults: options.faults ?? faults, topology, store };
  const pec = startPecThread(identitiesOf(pki));
  const relay = createRelayClient({ name: `mx.${topology.gestori[0]?.mailDomain ?? 'pec-testbed.test'}`, caPem: pki.caCertPem });
  const ports = portsFor(options.ports);
  const endpoints = {} as Record<ServiceName, Endpoint>;
  let runner: JobRunner | null = null;

  // tb.send's own sequence: the gestori's ids then do not depend on how many messages a test sent.
  const sendSource = options.seed !== undefined ? { ids: seededIds(`${options.seed}/send`), now: () => clock.now() } : undefined;
  const context: EngineContext = {
    store,
    clock,
    ids: options.seed !== undefined ? seededIds(options.seed) : randomIds(),
    seedFor: options.seed !== undefined ? scopedSeeds(options.seed) : undefined,
    directory: createDirectory(topology, () => indexes),
    pec,
    relay,
    route(domain) {
      const local = topology.gestoreOfDomain(domain) || topology.ordinaryDomain(domain);
      return local ? endpoints.mx : null;
    },
    faults: options.faults ?? faults,
    wake: () => runner?.wake(),
  };
  const mailboxes = provisionAccounts(store, topology);
  const engine = createEngine(context);
  runner = new JobRunner(store, clock, engine.handlers, {
    onError(job, error, final) {
      const payload = job.payload as { gestore?: string; identificativo?: string } | null;
      store.appendLog({ at: clock.now(), gestore: payload?.gestore ?? 'testbed', actor: 'runner', event: final ? 'lavoro-abbandonato' : 'lavoro-ritentato', identificativo: payload?.identificativo ?? null, detail: { kind: job.kind, attempts: job.attempts + 1, error: String((error as Error)?.message ?? error) } });
    },
  });
  const unsubscribeLog = options.onLog
    ? store.onLog((r) => options.onLog!(`${new Date(r.at).toISOString()} ${r.gestore} ${r.actor} ${r.event}${r.identificativo ? ` ${r.identificativo}` : ''}`))
    : () => {};

  const authenticate = async (username: string, password: string): Promise<string | null> => {
    const account = store.getAccount(username.trim().toLowerCase());
    if (!account || !account.enabled || !passwordMatches(account.password, password)) return null;
    return account.address;
  };
  const tls = { key: pki.tls.keyPem, cert: pki.tls.certPem };
  const maxHardCap = Math.max(...topology.gestori.map((g) => g.limits.hardCapBytes), 10 * 1024 * 1024);
  const closers: Array<() => Promise<void>> = [];
  const listen = async (name: ServiceName, startListener: (port: number) => Promise<{ port: number; close(): Promise<void> }>) => {
    const listener = await startListener(ports[name]);
    endpoints[name] = { host, port: listener.port };
    closers.push(() => listener.close());
  };

  try {
    await listen('mx', (port) => startSmtpListener({
      name: 'mx.pec-testbed.test', host, port, secure: false, tls, requireAuth: false, maxMessageBytes: maxHardCap,
      onRcptTo: (address) => engine.checkRecipient(address),
      onMessage: (raw, envelope) => engine.receive(raw, envelope),
      onPhase: smtpFaults(protocolFaults, 'mx'),
    }));
    for (const [name, secure] of [['submission', false], ['submissionTls', true]] as const) {
      await listen(name, (port) => startSmtpListener({
        name: 'smtp.pec-testbed.test', host, port, secure, tls, requireAuth: true, allowInsecureAuth: options.allowInsecureAuth,
        authenticate, maxMessageBytes: maxHardCap,
        onMailFrom: (address, envelope) => engine.checkSender(address, envelope),
        onMessage: (raw, envelope) => engine.submit(raw, envelope),
        onPhase: smtpFaults(protocolFaults, 'submission'),
      }));
    }
    for (const [name, implicitTls] of [['imap', false], ['imapTls', true]] as const) {
      await listen(name, (port) => startImapServer({ store, host, port, tls, implicitTls, authenticate, clock, hooks: imapFaults(protocolFaults) }));
    }
    for (const [name, implicitTls] of [['pop3', false], ['pop3Tls', true]] as const) {
      await listen(name, (port) => startPop3Server({ store, host, port, tls, implicitTls, authenticate, hooks: pop3Faults(protocolFaults) }));
    }
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    relay.close();
    await pec.close();
    clockRecorder?.close();
    store.close();
    throw error;
  }
  runner.start();
  let renewAt = signersRenewAt(pki);
  const stopRenewal = watchSignerValidity({
    clock,
    renewAt: () => renewAt,
    renew: () => {
      pki = pkiAt();
      renewAt = signersRenewAt(pki);
      // The index just replaced stays: a busta signed before this renewal may still be on its way,
      // and it is verified at its signingTime. The older ones go, or a clock at a day per second
      // would add one every few real minutes for as long as the testbed runs.
      indexes = [indexOf(pki), indexes[0]];
      pec.setIdentities(identitiesOf(pki));
      store.appendLog({ at: clock.now(), gestore: 'testbed', actor: 'pki', event: 'rinnovo-certificati', detail: { issued: pki.issued, validUntil: new Date(renewAt).toISOString() } });
    },
    onError: (error) => {
      // Said once: trying again every second would only repeat it.
      renewAt = Infinity;
      const message = `the signing certificates could not be renewed at the virtual time: ${(error as Error)?.message ?? error}`;
      process.emitWarning(message, { code: 'PEC_TESTBED_PKI' });
      store.appendLog({ at: clock.now(), gestore: 'testbed', actor: 'pki', event: 'rinnovo-fallito', detail: { message } });
    },
  });

  let stopped = false;
  let apiToken: string | null = null;
  const tb: Testbed = {
    endpoints,
    mailboxes,
    caPath: pki.caPath,
    get caPem() {
      return pki.caCertPem;
    },
    get pki() {
      return pki;
    },
    store,
    clock,
    topology,
    get index() {
      return indexes[0];
    },
    scenario,
    context,
    idle: () => runner!.idle(),
    advance: (duration) => advanceThrough(clock, { idle: () => runner!.idle(), nextDueAt: () => store.nextDueAt() }, duration),
    faults,
    get url() {
      const { host: h, port } = endpoints.http;
      return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
    },
    get apiToken() {
      return apiToken;
    },
    async send(request) {
      const password = request.password ?? store.getAccount(request.from.trim().toLowerCase())?.password;
      if (password === undefined) throw new Error(`send: no mailbox ${request.from} (create it, or pass its password)`);
      return submitAs({ ...endpoints.submission, caPem: pki.caCertPem }, password, request, sendSource);
    },
    async waitFor(query) {
      return (await waitForMessages(store, query)).map((hit) => withContent(store, hit));
    },
    messages: (filter) => findMessages(store, filter),
    async reset(resetOptions = {}) {
      await runner!.idle();
      store.reset();
      if (resetOptions.reseed) reseedAccounts(store, topology);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopRenewal();
      await runner!.stop();
      // The time it stopped at: a restart on this store resumes from here (clock/resume.ts).
      // One reading for both: a running clock moves between two calls.
      const stoppedAt = clock.now();
      clockRecorder?.record(stoppedAt);
      store.appendLog({ at: stoppedAt, gestore: 'testbed', actor: 'orologio', event: 'arresto' });
      // The relay's pooled connections are the MX's clients: close them first.
      relay.close();
      await Promise.allSettled(closers.map((close) => close()));
      await pec.close();
      unsubscribeLog();
      clockRecorder?.close();
      store.close();
    },
  };
  // Last, because the API serves the whole testbed object.
  try {
    await listen('http', async (port) => {
      const server = await startHttpServer(tb, { host, port, token: options.apiToken });
      apiToken = server.token;
      return server;
    });
  } catch (error) {
    await tb.stop();
    throw error;
  }
  return tb;
}
