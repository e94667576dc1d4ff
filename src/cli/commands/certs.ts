// `pec-testbed certs init|show`: create (or repair) the test PKI and show what it holds: the root
// to trust, each gestore's signing certificate with the fingerprint the providers' index lists,
// the TLS certificate, file paths, and how to make clients trust the root.
// Exit codes: 0 done, 2 unreadable input or unusable directory (1 is kept for "invalid", as in verify).

import type { Argv, CommandModule } from 'yargs';
import { certRequestsOf } from '../../topology/certificates.js';
import { defaultScenarioPath } from '../../topology/package-paths.js';
import { loadScenarioSpec } from '../../faults/scenario/load.js';
import {
  describePki, loadOrCreatePki, type GestoreCertRequest, type PkiFileSummary, type PkiSummary,
} from '../../pki/index.js';

export interface CertsIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CertsIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export interface CertsInitOptions {
  dir: string;
  scenario?: string;
  json?: boolean;
}

export interface CertsShowOptions {
  dir: string;
  json?: boolean;
}

export function runCertsInit(options: CertsInitOptions, io: CertsIo = processIo): number {
  let gestori: GestoreCertRequest[];
  try {
    // the same reading as `start --scenario`, so every file that runs gets its certificates
    gestori = certRequestsOf(loadScenarioSpec(options.scenario ?? defaultScenarioPath()).topology);
  } catch (error) {
    io.err(`pec-testbed certs init: ${(error as Error).message}\n`);
    return 2;
  }
  let issued: string[];
  try {
    issued = loadOrCreatePki({ dir: options.dir, gestori }).issued;
  } catch (error) {
    io.err(`pec-testbed certs init: cannot create the PKI in ${options.dir}: ${(error as Error).message}\n`);
    return 2;
  }
  const summary = describePki(options.dir);
  if (options.json) {
    io.out(`${JSON.stringify({ ...toJson(summary), issued })}\n`);
  } else {
    io.out(issued.length > 0 ? `Issued: ${issued.join(', ')}\n` : 'Everything was already in place; nothing issued.\n');
    io.out(renderText(summary));
  }
  return 0;
}

export function runCertsShow(options: CertsShowOptions, io: CertsIo = processIo): number {
  const summary = describePki(options.dir);
  if (!summary.ca) {
    io.err(`pec-testbed certs show: no test PKI in ${summary.dir} (no readable ca.pem); run \`pec-testbed certs init --dir ${options.dir}\`\n`);
    return 2;
  }
  io.out(options.json ? `${JSON.stringify(toJson(summary))}\n` : renderText(summary));
  return 0;
}

/** How to make common clients trust the root; one line each. */
export function trustInstructions(caPath: string): string[] {
  return [
    `Node.js:      NODE_EXTRA_CA_CERTS=${caPath}`,
    `curl:         curl --cacert ${caPath} ...`,
    `Python:       ssl.create_default_context(cafile="${caPath}")  (or SSL_CERT_FILE=${caPath})`,
    `OpenSSL:      openssl s_client -CAfile ${caPath} ...; openssl cms -verify -CAfile ${caPath} ...`,
    `Java:         keytool -importcert -noprompt -alias pec-testbed -file ${caPath} -keystore truststore.p12 -storepass changeit`,
    `Mail clients: import ${caPath} as a certificate authority trusted for websites (TLS) and e-mail users (S/MIME)`,
    'The root is TEST ONLY: trust it in test profiles and CI, never in a system-wide store you use for real mail.',
  ];
}

function renderText(summary: PkiSummary): string {
  const lines = [`Test PKI in ${summary.dir}`, ''];
  if (summary.ca) {
    lines.push('Root CA (trust this one)', ...describeFile(summary.ca), '');
  }
  for (const gestore of summary.gestori) {
    lines.push(`Gestore ${gestore.id}: signing certificate`, ...describeFile(gestore), '');
  }
  if (summary.tls) {
    const names = [...summary.tls.info.dnsNames, ...summary.tls.info.ipAddresses].join(', ');
    lines.push('TLS server certificate', ...describeFile(summary.tls), `  names:        ${names}`, '');
  }
  if (summary.ca) lines.push('Trust the root CA', ...trustInstructions(summary.ca.certPath).map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

function describeFile(file: PkiFileSummary): string[] {
  const { info } = file;
  return [
    `  subject:      ${info.subject}`,
    ...(info.email ? [`  e-mail:       ${info.email}`] : []),
    `  sha1:         ${info.fingerprintSha1}`,
    `  sha256:       ${info.fingerprintSha256}`,
    `  valid:        ${info.notBefore.toISOString()} to ${info.notAfter.toISOString()}`,
    `  certificate:  ${file.certPath}`,
    `  key:          ${file.keyPresent ? file.keyPath : `${file.keyPath} (missing)`}`,
  ];
}

function toJson(summary: PkiSummary) {
  const file = (entry: PkiFileSummary) => ({
    subject: entry.info.subject,
    issuer: entry.info.issuer,
    email: entry.info.email,
    dnsNames: entry.info.dnsNames,
    ipAddresses: entry.info.ipAddresses,
    fingerprintSha1: entry.info.fingerprintSha1,
    fingerprintSha256: entry.info.fingerprintSha256,
    serialNumber: entry.info.serialNumber,
    notBefore: entry.info.notBefore.toISOString(),
    notAfter: entry.info.notAfter.toISOString(),
    certPath: entry.certPath,
    keyPath: entry.keyPath,
    keyPresent: entry.keyPresent,
  });
  return {
    dir: summary.dir,
    ca: summary.ca ? file(summary.ca) : null,
    gestori: summary.gestori.map((gestore) => ({ id: gestore.id, ...file(gestore) })),
    tls: summary.tls ? file(summary.tls) : null,
    trust: summary.ca ? trustInstructions(summary.ca.certPath) : [],
  };
}

const dirOption = {
  type: 'string',
  default: 'certs',
  describe: 'PKI directory (git-ignored; holds private keys)',
} as const;

export const certsCommand: CommandModule = {
  command: 'certs',
  describe: 'create / show the test PKI (root CA, gestori signing certificates, TLS)',
  builder: (yargs: Argv) =>
    yargs
      .command({
        command: 'init',
        describe: 'create the PKI, or reuse and repair an existing one',
        builder: (y: Argv) =>
          y.options({
            dir: dirOption,
            scenario: { type: 'string', describe: 'scenario file whose gestori get a certificate (default: scenarios/default.yaml)' },
            json: { type: 'boolean', default: false, describe: 'print one JSON object' },
          }),
        handler: (argv) => {
          process.exitCode = runCertsInit(argv as unknown as CertsInitOptions);
        },
      })
      .command({
        command: 'show',
        describe: 'show subjects, fingerprints, validity, paths and how to trust the root',
        builder: (y: Argv) =>
          y.options({
            dir: dirOption,
            json: { type: 'boolean', default: false, describe: 'print one JSON object' },
          }),
        handler: (argv) => {
          process.exitCode = runCertsShow(argv as unknown as CertsShowOptions);
        },
      })
      .demandCommand(1, 'Name an action: init or show'),
  handler: () => {},
};
