// Wires one testbed: topology, store, PKI, clock, the gestori's engine and job runner, and every
// listener of design.md (MX, submission, IMAP, POP3). It is the in-process API tests use
// (`startTestbed`) and what `pec-testbed start` runs.
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VirtualClock } from '../clock/clock.js';
import { createDirectory } from '../gestore/directory.js';
import { createEngine } from '../gestore/engine.js';
import type { EngineContext } from '../gestore/context.js';
import { noFaults, type FaultPoints } from '../gestore/faults.js';
import { JobRunner } from '../gestore/runner.js';
import { randomIds, seededIds } from '../pec/ids.js';
import type { GestoreIdentity } from '../pec/types.js';
import { loadOrCreatePki, type TestPki } from '../pki/test-pki.js';
// TEMP import { startImapServer } from '../imap/index.js';
import { startPop3Server } from '../pop3/index.js';
import { createRelayClient } from '../smtp/client.js';
import { startSmtpListener } from '../smtp/listener.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildIndex, type ProviderIndex } from '../topology/igpec.js';
import { defaultScenarioPath } from '../topology/package-paths.js';
import { loadScenarioFile, type Scenario } from '../topology/scenario.js';
import type { Topology } from '../topology/topology.js';

export const SERVICES = ['mx', 'submission', 'submissionTls', 'imap', 'imapTls', 'pop3', 'pop3Tls'] as const;
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
};

export interface Endpoint {
  host: string;
  port: number;
}

export interface TestbedOptions {
  /** a scenario file, or one already loaded; default scenarios/default.yaml */
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
  faults?: FaultPoints;
  /** receives one line per provider log event */
  onLog?: (line: string) => void;
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
  caPem: string;
  pki: TestPki;
  store: Store;
  clock: VirtualClock;
  topology: Topology;
  index: ProviderIndex;
  scenario: Scenario<Record<string, unknown>>;
  context: EngineContext;
  /** resolves when no job is due and none is running (virtual time is not advanced) */
  idle(): Promise<void>;
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

function portsFor(option: TestbedOptions['ports']): Record<ServiceName, number> {
  if (option === 'ephemeral') return Object.fromEntries(SERVICES.map((s) => [s, 0])) as Record<ServiceName, number>;
  return { ...DEFAULT_PORTS, ...(option ?? {}) };
}

export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const host = options.host ?? '127.0.0.1';
  const scenario = typeof options.scenario === 'object'
    ? options.scenario
    : loadScenarioFile(options.scenario ?? defaultScenarioPath());
  const topology = scenario.topology;
  const pki = loadOrCreatePki({
    dir: resolve(options.certsDir ?? 'certs'),
    gestori: topology.gestori.map((g) => ({ id: g.id, name: g.name, mailDomain: g.mailDomain })),
    hostnames: [host],
  });
  const index = buildIndex(topology, { certificatePem: (id) => pki.signers.get(id)!.certPem, fingerprint: (id) => pki.fingerprint(id) });
  const start = options.clock?.start;
  const clock = new VirtualClock({
    start: typeof start === 'string' ? Date.parse(start) : start,
    speed: options.clock?.speed,
  });
  if (typeof start === 'string' && Number.isNaN(Date.parse(start))) throw new Error(`not a date: ${start}`);

  let store: Store;
  if (options.inMemory) {
    store = openStore({ inMemory: true, clock });
  } else {
    const dataDir = resolve(options.dataDir ?? '.pec-testbed');
    mkdirSync(dataDir, { recursive: true });
    store = openStore({ path: join(dataDir, 'store.sqlite'), clock });
  }
  const identities = new Map<string, GestoreIdentity>(
    topology.gestori.map((g) => [g.id, { id: g.id, name: g.name, mailDomain: g.mailDomain, dialect: g.dialect, signer: pki.signers.get(g.id)! }]),
  );
  const relay = createRelayClient({ name: `mx.${topology.gestori[0]?.mailDomain ?? 'pec-testbed.test'}`, caPem: pki.caCertPem });
  const ports = portsFor(options.ports);
  const endpoints = {} as Record<ServiceName, Endpoint>;
  let runner: JobRunner | null = null;

  const context: EngineContext = {
    store,
    clock,
    ids: options.seed !== undefined ? seededIds(options.seed) : randomIds(),
    directory: createDirectory(topology, index),
    identity(id) {
      const identity = identities.get(id);
      if (!identity) throw new Error(`unknown gestore "${id}"`);
      return identity;
    },
    trustedCaPem: [pki.caCertPem],
    relay,
    route(domain) {
      const local = topology.gestoreOfDomain(domain) || topology.ordinaryDomain(domain);
      return local ? endpoints.mx : null;
    },
    faults: options.faults ?? noFaults,
    wake: () => runner?.wake(),
  };
  const mailboxes = provisionAccounts(store, topology);
  const engine = createEngine(context);
  runner = new JobRunner(store, clock, engine.handlers, {
    onError(job, error, final) {
      store.appendLog({ at: clock.now(), gestore: (job.payload as { gestore?: string })?.gestore ?? 'testbed', actor: 'runner', event: final ? 'lavoro-abbandonato' : 'lavoro-ritentato', detail: { kind: job.kind, attempts: job.attempts + 1, error: String((error as Error)?.message ?? error) } });
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
    }));
    for (const [name, secure] of [['submission', false], ['submissionTls', true]] as const) {
      await listen(name, (port) => startSmtpListener({
        name: 'smtp.pec-testbed.test', host, port, secure, tls, requireAuth: true, allowInsecureAuth: options.allowInsecureAuth,
        authenticate, maxMessageBytes: maxHardCap,
        onMailFrom: (address, envelope) => engine.checkSender(address, envelope),
        onMessage: (raw, envelope) => engine.submit(raw, envelope),
      }));
    }
    for (const [name, implicitTls] of [['imap', false], ['imapTls', true]] as const) {
      void implicitTls; endpoints[name] = { host, port: 0 }; // TEMP
    }
    for (const [name, implicitTls] of [['pop3', false], ['pop3Tls', true]] as const) {
      await listen(name, (port) => startPop3Server({ store, host, port, tls, implicitTls, authenticate }));
    }
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    relay.close();
    store.close();
    throw error;
  }
  runner.start();

  let stopped = false;
  return {
    endpoints,
    mailboxes,
    caPath: pki.caPath,
    caPem: pki.caCertPem,
    pki,
    store,
    clock,
    topology,
    index,
    scenario,
    context,
    idle: () => runner!.idle(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await runner!.stop();
      // The relay's pooled connections are the MX's clients: close them first.
      relay.close();
      await Promise.allSettled(closers.map((close) => close()));
      unsubscribeLog();
      store.close();
    },
  };
}
