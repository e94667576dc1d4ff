// `pec-testbed start`: runs a testbed in the foreground until SIGINT / SIGTERM, and says where
// everything is: endpoints, mailboxes with passwords, the CA to trust (or one JSON line).
import type { CommandModule } from 'yargs';
import { startTestbed, type Testbed } from '../../testbed/testbed.js';
import { ScenarioError } from '../../topology/scenario.js';
import { growHeapForThroughput } from '../../threads/heap-growth.js';
import { checkClockArgs } from './clock-options.js';

interface StartArgs {
  scenario?: string;
  'data-dir'?: string;
  'in-memory'?: boolean;
  ports?: string;
  json?: boolean;
  'clock-speed'?: number;
  'clock-start'?: string;
  seed?: string;
  host?: string;
  certs?: string;
  'allow-plain-auth'?: boolean;
  verbose?: boolean;
  'api-token'?: string;
}

export function describeTestbed(tb: Testbed): Record<string, unknown> {
  return { endpoints: tb.endpoints, mailboxes: tb.mailboxes, ca: tb.caPath, ui: `${tb.url}/ui/`, api: `${tb.url}/api/v1`, apiToken: tb.apiToken };
}

function humanSummary(tb: Testbed): string {
  const e = tb.endpoints;
  const lines = [
    `pec-testbed ready (scenario "${tb.scenario.name}")`,
    '',
    'Endpoints:',
    `  MX / punto di ricezione   smtp://${e.mx.host}:${e.mx.port}`,
    `  submission (STARTTLS)     smtp://${e.submission.host}:${e.submission.port}`,
    `  submission (TLS)          smtps://${e.submissionTls.host}:${e.submissionTls.port}`,
    `  IMAP (STARTTLS) / IMAPS   imap://${e.imap.host}:${e.imap.port}  imaps://${e.imapTls.host}:${e.imapTls.port}`,
    `  POP3 (STLS) / POP3S       pop3://${e.pop3.host}:${e.pop3.port}  pop3s://${e.pop3Tls.host}:${e.pop3Tls.port}`,
    `  web UI                    ${tb.url}/ui/`,
    `  HTTP API                  ${tb.url}/api/v1  (OpenAPI: ${tb.url}/api/v1/openapi.json)`,
    ...(tb.apiToken ? [`  API token                 ${tb.apiToken}  (Authorization: Bearer <token>; the UI asks for it)`] : []),
    '',
    'Mailboxes (address / password / gestore):',
    ...tb.mailboxes.map((m) => `  ${m.address.padEnd(44)} ${m.password.padEnd(8)} ${m.gestore ?? '(posta ordinaria)'}`),
    '',
    `CA certificate to trust: ${tb.caPath}`,
    `Clock: ${new Date(tb.clock.now()).toISOString()} x${tb.clock.speed}`,
  ];
  return lines.join('\n');
}

export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'start the simulated PEC providers (SMTP, IMAP, POP3) in the foreground',
  builder: (y) =>
    y
      .option('scenario', { type: 'string', describe: 'scenario file (topology); default scenarios/default.yaml' })
      .option('data-dir', { type: 'string', describe: 'store directory', default: '.pec-testbed' })
      .option('in-memory', { type: 'boolean', describe: 'keep everything in memory (nothing survives exit)' })
      .option('ports', { type: 'string', describe: '"ephemeral" for random free ports' })
      .option('host', { type: 'string', describe: 'address to bind', default: '127.0.0.1' })
      .option('certs', { type: 'string', describe: 'test PKI directory', default: 'certs' })
      .option('json', { type: 'boolean', describe: 'print one JSON line when every listener is ready' })
      .option('clock-speed', { type: 'number', describe: 'virtual seconds per real second (7200: 12 h in 6 s)' })
      .option('clock-start', { type: 'string', describe: 'virtual start time, e.g. 2026-03-29T01:30:00+01:00' })
      .option('seed', { type: 'string', describe: 'reproducible identificativi, Message-IDs and boundaries' })
      .option('allow-plain-auth', { type: 'boolean', describe: 'allow SMTP AUTH before STARTTLS' })
      .option('verbose', { type: 'boolean', alias: 'v', describe: 'print the provider log as it happens' })
      .option('api-token', { type: 'string', describe: 'token the HTTP API and UI require (generated when --host is not loopback)' })
      .check((argv) => {
        if (argv.ports !== undefined && argv.ports !== 'ephemeral') throw new Error('--ports takes only "ephemeral"');
        return checkClockArgs(argv);
      }),
  handler: async (argv) => {
    growHeapForThroughput();
    let tb: Testbed;
    try {
      tb = await startTestbed({
        scenario: argv.scenario,
        dataDir: argv['data-dir'],
        inMemory: argv['in-memory'],
        ports: argv.ports === 'ephemeral' ? 'ephemeral' : undefined,
        host: argv.host,
        certsDir: argv.certs,
        clock: { speed: argv['clock-speed'], start: argv['clock-start'] },
        seed: argv.seed,
        allowInsecureAuth: argv['allow-plain-auth'],
        onLog: argv.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
        apiToken: argv['api-token'],
      });
    } catch (error) {
      if (error instanceof ScenarioError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      const e = error as NodeJS.ErrnoException;
      process.stderr.write(`pec-testbed: cannot start: ${e.code === 'EADDRINUSE' ? `${e.message} (another testbed running? try --ports ephemeral)` : e.message}\n`);
      process.exit(1);
    }
    process.stdout.write(argv.json ? `${JSON.stringify(describeTestbed(tb))}\n` : `${humanSummary(tb)}\n`);
    let stopping = false;
    const stop = (signal: 'SIGINT' | 'SIGTERM') => {
      if (stopping) {
        // A stop that hangs (a client holding its connection open) must not leave Ctrl-C useless.
        process.stderr.write(`pec-testbed: ${signal} again: exiting without a clean stop\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      if (!argv.json) process.stderr.write(`\n${signal}: stopping...\n`);
      tb.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  },
};
