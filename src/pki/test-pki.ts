// The test PKI on disk: generated on first use, reused on later runs, repaired piece by piece.
// Each file is written atomically; a pair left inconsistent by a crash (key of one run, cert of
// another, leaf of an older CA) fails the checks on the next load and is simply issued again.
// Two times matter: TLS clients check the listeners' certificate at the real time, while receipts
// are signed, and checked by strict verifiers, at the virtual time of the testbed's clock. So the
// signing certificates and the CA above them must also be valid at that virtual time.
// Loading reuses Node's native parsers only, so an existing PKI loads in a few milliseconds.

import {
  createPrivateKey, randomBytes, X509Certificate, type KeyObject,
} from 'node:crypto';
import {
  closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Signer } from '../pec/types.js';
import { canonicalIp, describeCertificate, isValidAt, type CertificateInfo } from './certificate-info.js';
import {
  LIFETIME, createCa, issueSigner, issueTlsCertificate, privateKeyToPem, reissueCa, signerEmail,
  type CertificateAuthority, type GestoreCertRequest, type Validity,
} from './issue.js';

export interface TestPki {
  dir: string;
  caPath: string;
  caCertPem: string;
  /** the root with its key, to issue extra signers (fixtures, tests) under the same trust */
  ca: CertificateAuthority;
  /** `hostnames`: every DNS name and IP address the certificate covers (at least those asked for) */
  tls: { certPem: string; keyPem: string; certPath: string; keyPath: string; hostnames: string[] };
  /** by gestore id */
  signers: Map<string, Signer>;
  /** SHA-1 of the gestore's DER signing certificate, lower-case hex: the index's providerCertificateHash */
  fingerprint(gestoreId: string): string;
  /** what this call had to (re)issue: `ca`, `tls`, `gestore:<id>`; empty when all was reused */
  issued: string[];
}

export interface LoadOrCreateOptions {
  /** e.g. `certs` in the working directory; created when missing */
  dir: string;
  gestori: GestoreCertRequest[];
  /** extra DNS names or IP addresses for the TLS certificate */
  hostnames?: string[];
  /** reference time for "still valid"; default: the real time (TLS clients use the real time) */
  now?: Date;
  /**
   * the (virtual) time the gestori sign at: their certificates and the CA must be valid then too,
   * and for the renewal margin after it; default `now`
   */
  signingAt?: Date;
}

/**
 * Leaves closer than this to expiry are issued again; the CA is replaced only once expired, and
 * stretched (same key) when it does not cover the signing time.
 */
const DAY_MS = 24 * 60 * 60 * 1000;
const RENEW_MARGIN_MS = 7 * DAY_MS;
const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

export function pkiPaths(dir: string) {
  return {
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    tlsCert: join(dir, 'tls.pem'),
    tlsKey: join(dir, 'tls.key'),
    gestoreCert: (id: string) => join(dir, `gestore-${id}.pem`),
    gestoreKey: (id: string) => join(dir, `gestore-${id}.key`),
  };
}

/**
 * Names the TLS certificate must cover: loopback, each gestore's domains and their subdomains
 * (`*.pec.alfa.test` covers mx.pec.alfa.test), extras. An existing certificate covering more is kept.
 */
export function tlsHostnames(gestori: GestoreCertRequest[], extra: string[] = []): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  for (const gestore of gestori) {
    for (const domain of [gestore.mailDomain, ...(gestore.domains ?? [])]) names.push(domain, `*.${domain}`);
  }
  names.push(...extra);
  return [...new Set(names.map(canonicalHost))];
}

export function loadOrCreatePki(options: LoadOrCreateOptions): TestPki {
  const dir = resolve(options.dir);
  for (const gestore of options.gestori) checkGestoreId(gestore.id);
  const hostnames = tlsHostnames(options.gestori, options.hostnames);
  const now = options.now ?? new Date();
  const times: Times = { now, signingAt: options.signingAt ?? now };

  let state = inspect(dir, options.gestori, hostnames, times);
  const issued: string[] = [];
  if (!isComplete(state, options.gestori)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    withLock(dir, () => {
      // Another process may have completed the PKI while this one waited for the lock.
      state = inspect(dir, options.gestori, hostnames, times);
      issued.push(...complete(dir, state, options.gestori, hostnames, times));
      state = inspect(dir, options.gestori, hostnames, times);
    });
    if (!isComplete(state, options.gestori)) throw new Error(`could not create a usable PKI in ${dir}`);
  }
  return toTestPki(dir, state as CompleteState, options.gestori, hostnames, issued);
}

/**
 * The (virtual) time from which `loadOrCreatePki` issues a signer of `pki` again: the earliest
 * end of validity less the renewal margin. A testbed whose clock reaches it renews them.
 */
export function signersRenewAt(pki: Pick<TestPki, 'signers'>): number {
  let earliest = Infinity;
  for (const signer of pki.signers.values()) earliest = Math.min(earliest, Date.parse(new X509Certificate(signer.certPem).validTo));
  return earliest - RENEW_MARGIN_MS;
}

export interface PkiFileSummary {
  certPath: string;
  keyPath: string;
  keyPresent: boolean;
  info: CertificateInfo;
}

export interface PkiSummary {
  dir: string;
  ca: PkiFileSummary | undefined;
  tls: PkiFileSummary | undefined;
  gestori: (PkiFileSummary & { id: string })[];
}

/** What a PKI directory holds, without creating or repairing anything (for `certs show`). */
export function describePki(dir: string): PkiSummary {
  const absolute = resolve(dir);
  const paths = pkiPaths(absolute);
  const entries = safeReaddir(absolute);
  const gestoreIds = entries
    .map((name) => /^gestore-(.+)\.pem$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort();
  return {
    dir: absolute,
    ca: summarise(paths.caCert, paths.caKey),
    tls: summarise(paths.tlsCert, paths.tlsKey),
    gestori: gestoreIds.flatMap((id) => {
      const summary = summarise(paths.gestoreCert(id), paths.gestoreKey(id));
      return summary ? [{ id, ...summary }] : [];
    }),
  };
}

interface LoadedPair {
  certPem: string;
  keyPem: string;
  x509: X509Certificate;
  key: KeyObject;
}

interface Times {
  now: Date;
  signingAt: Date;
}

interface State {
  ca?: LoadedPair;
  /** false: the CA is valid now but not at signingAt, and is issued again over both */
  caCoversSigning?: boolean;
  tls?: LoadedPair;
  /** names of the TLS certificate on disk, usable or not */
  tlsNames?: string[];
  signers: Map<string, LoadedPair>;
  /** this CA's certificates of the right gestore that are not valid at signingAt */
  staleSigners: Map<string, X509Certificate>;
}

type CompleteState = Required<Pick<State, 'ca' | 'tls'>> & State;

function inspect(dir: string, gestori: GestoreCertRequest[], hostnames: string[], times: Times): State {
  const paths = pkiPaths(dir);
  const state: State = { signers: new Map(), staleSigners: new Map() };
  const ca = readPair(paths.caCert, paths.caKey);
  if (!ca || !ca.x509.ca || !isValidAt(ca.x509, times.now) || !ca.x509.checkIssued(ca.x509)) return state;
  state.ca = ca;
  state.caCoversSigning = validThrough(ca.x509, times.signingAt);

  const issuedByCa = (pair: LoadedPair) => pair.x509.checkIssued(ca.x509) && pair.x509.verify(ca.x509.publicKey);

  for (const gestore of gestori) {
    const pair = readPair(paths.gestoreCert(gestore.id), paths.gestoreKey(gestore.id));
    if (!pair || !issuedByCa(pair)) continue;
    const info = describeCertificate(pair.x509);
    if (info.commonName !== `Posta Certificata ${gestore.name}` || info.email !== signerEmail(gestore.mailDomain)) continue;
    if (validThrough(pair.x509, times.signingAt)) state.signers.set(gestore.id, pair);
    else state.staleSigners.set(gestore.id, pair.x509);
  }

  const tls = readPair(paths.tlsCert, paths.tlsKey);
  if (tls) {
    const info = describeCertificate(tls.x509);
    state.tlsNames = [...info.dnsNames.map(canonicalHost), ...info.ipAddresses];
    // A superset is fine: callers ask for different names (start adds its listen address,
    // index export the managed domains), and a certificate that grows never flip-flops.
    const present = new Set(state.tlsNames);
    if (issuedByCa(tls) && validThrough(tls.x509, times.now) && hostnames.every((name) => present.has(name))) state.tls = tls;
  }
  return state;
}

function validThrough(cert: X509Certificate, from: Date): boolean {
  return isValidAt(cert, from) && isValidAt(cert, new Date(from.getTime() + RENEW_MARGIN_MS));
}

function isComplete(state: State, gestori: GestoreCertRequest[]): state is CompleteState {
  return state.ca !== undefined && state.caCoversSigning === true && state.tls !== undefined &&
    gestori.every((g) => state.signers.has(g.id));
}

/**
 * From before the earlier of the two times to a lifetime after the later one, stretched over
 * `previous` so that runs at different virtual times come to share one certificate instead of
 * re-issuing it in turn.
 */
function spanning(times: Times, lifetimeMs: number, previous?: X509Certificate): Required<Validity> {
  const [now, signingAt] = [times.now.getTime(), times.signingAt.getTime()];
  let from = Math.min(now, signingAt) - DAY_MS;
  let to = Math.max(now, signingAt) + lifetimeMs;
  if (previous) {
    from = Math.min(from, Date.parse(previous.validFrom));
    to = Math.max(to, Date.parse(previous.validTo));
  }
  return { notBefore: new Date(from), notAfter: new Date(to) };
}

/** Issues whatever `state` lacks, writes it, and returns the names of what it issued. */
function complete(dir: string, state: State, gestori: GestoreCertRequest[], hostnames: string[], times: Times): string[] {
  const paths = pkiPaths(dir);
  const issued: string[] = [];
  let ca: CertificateAuthority;
  if (state.ca && state.caCoversSigning) {
    ca = { certPem: state.ca.certPem, privateKey: state.ca.key };
  } else if (state.ca) {
    // Same key and name: the TLS and signing certificates on disk stay valid under it, and a
    // client holding the old ca.pem still trusts the listeners.
    ca = reissueCa({ certPem: state.ca.certPem, privateKey: state.ca.key }, spanning(times, LIFETIME.ca, state.ca.x509));
    writeAtomic(paths.caCert, ca.certPem, 0o644);
    issued.push('ca');
  } else {
    ca = createCa(spanning(times, LIFETIME.ca));
    // Key first: a crash between the two writes leaves a mismatched pair, which the next load rejects.
    writeAtomic(paths.caKey, privateKeyToPem(ca.privateKey), 0o600);
    writeAtomic(paths.caCert, ca.certPem, 0o644);
    issued.push('ca');
  }
  const caIsNew = !state.ca;
  for (const gestore of gestori) {
    if (!caIsNew && state.signers.has(gestore.id)) continue;
    const signer = issueSigner(ca, gestore, spanning(times, LIFETIME.signer, state.staleSigners.get(gestore.id)));
    writeAtomic(paths.gestoreKey(gestore.id), privateKeyToPem(signer.privateKey), 0o600);
    writeAtomic(paths.gestoreCert(gestore.id), signer.certPem, 0o644);
    issued.push(`gestore:${gestore.id}`);
  }
  if (caIsNew || !state.tls) {
    const names = [...new Set([...hostnames, ...(state.tlsNames ?? [])])];
    const tls = issueTlsCertificate(ca, names, { notBefore: new Date(times.now.getTime() - DAY_MS) });
    writeAtomic(paths.tlsKey, tls.keyPem, 0o600);
    writeAtomic(paths.tlsCert, tls.certPem, 0o644);
    issued.push('tls');
  }
  return issued;
}

function toTestPki(
  dir: string, state: CompleteState, gestori: GestoreCertRequest[], hostnames: string[], issued: string[],
): TestPki {
  const paths = pkiPaths(dir);
  const signers = new Map<string, Signer>();
  const fingerprints = new Map<string, string>();
  for (const gestore of gestori) {
    const pair = state.signers.get(gestore.id)!;
    signers.set(gestore.id, { certPem: pair.certPem, chainPem: [state.ca.certPem], privateKey: pair.key });
    fingerprints.set(gestore.id, describeCertificate(pair.x509).fingerprintSha1);
  }
  return {
    dir,
    caPath: paths.caCert,
    caCertPem: state.ca.certPem,
    ca: { certPem: state.ca.certPem, privateKey: state.ca.key },
    tls: {
      certPem: state.tls.certPem,
      keyPem: state.tls.keyPem,
      certPath: paths.tlsCert,
      keyPath: paths.tlsKey,
      hostnames: state.tlsNames ?? hostnames,
    },
    signers,
    fingerprint(gestoreId: string): string {
      const fingerprint = fingerprints.get(gestoreId);
      if (fingerprint === undefined) throw new Error(`no signing certificate for gestore "${gestoreId}"`);
      return fingerprint;
    },
    issued,
  };
}

function readPair(certPath: string, keyPath: string): LoadedPair | undefined {
  try {
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(keyPath, 'utf8');
    const x509 = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    if (!x509.checkPrivateKey(key)) return undefined;
    return { certPem, keyPem, x509, key };
  } catch {
    return undefined;
  }
}

function summarise(certPath: string, keyPath: string): PkiFileSummary | undefined {
  try {
    const info = describeCertificate(readFileSync(certPath, 'utf8'));
    let keyPresent = true;
    try {
      statSync(keyPath);
    } catch {
      keyPresent = false;
    }
    return { certPath, keyPath, keyPresent, info };
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// Gestore ids become file names.
function checkGestoreId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
    throw new Error(`gestore id "${id}" cannot name a certificate file: use letters, digits, '.', '_' or '-'`);
  }
}

function canonicalHost(name: string): string {
  return canonicalIp(name.trim().toLowerCase());
}

/** temp file + fsync + rename: readers see the old file or the new one, never half of one. */
function writeAtomic(path: string, data: string, mode: number): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

// Parallel CI jobs may share one certs directory: one process issues, the others wait and reuse.
function withLock(dir: string, action: () => void): void {
  const lockPath = join(dir, '.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lockPath)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockPath}; remove it if no pec-testbed is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    action();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone: a peer judged it stale
    }
  }
}

function isStale(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}
