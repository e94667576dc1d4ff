// `pec-testbed send`: a small PEC client that submits through the punto di accesso as a user,
// with STARTTLS (or implicit TLS with --tls, or on 2465) and the testbed's CA, and prints the
// identificativo the access point assigned. The same client the in-process and HTTP APIs use
// (testbed/send.ts).
import { accessSync, constants, statSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { SubmissionError, submitAs } from '../../testbed/send.js';

interface SendArgs {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text?: string;
  html?: string;
  attach?: string[];
  receipt?: 'completa' | 'breve' | 'sintetica';
  password: string;
  host: string;
  port: number;
  tls?: boolean;
  ca: string;
  'message-id'?: string;
  json?: boolean;
}

export const sendCommand: CommandModule<object, SendArgs> = {
  command: 'send',
  describe: 'submit a message through the punto di accesso as a user',
  builder: (y) =>
    y
      .option('from', { type: 'string', demandOption: true, describe: 'sender mailbox (also the login)' })
      .option('to', { type: 'string', array: true, demandOption: true, describe: 'recipient(s)' })
      .option('cc', { type: 'string', array: true, describe: 'Cc recipient(s)' })
      .option('subject', { type: 'string', demandOption: true })
      .option('text', { type: 'string', describe: 'plain-text body', default: '' })
      .option('html', { type: 'string', describe: 'HTML body' })
      .option('attach', { type: 'string', array: true, describe: 'file(s) to attach' })
      .option('receipt', { choices: ['completa', 'breve', 'sintetica'] as const, describe: 'X-TipoRicevuta' })
      .option('password', { type: 'string', default: 'pec' })
      .option('host', { type: 'string', default: '127.0.0.1' })
      .option('port', { type: 'number', default: 2587, describe: 'submission port (STARTTLS unless --tls)' })
      .option('tls', { type: 'boolean', describe: 'implicit TLS (the submission TLS port) instead of STARTTLS; default on for port 2465' })
      .option('ca', { type: 'string', default: 'certs/ca.pem', describe: 'CA certificate to trust' })
      .option('message-id', { type: 'string', describe: 'Message-ID to use (default: generated)' })
      .option('json', { type: 'boolean' })
      .check((argv) => {
        // yargs makes "abc" NaN, which the mail library would quietly replace with 587
        if (!Number.isInteger(argv.port) || argv.port < 1 || argv.port > 65535) {
          throw new Error(`--port must be a whole number from 1 to 65535${Number.isNaN(argv.port) ? '' : `, got ${argv.port}`}`);
        }
        for (const file of argv.attach ?? []) if (!readableFile(file)) throw new Error(`cannot read attachment ${file}`);
        if (!readableFile(argv.ca)) throw new Error(`cannot read CA certificate ${argv.ca} (start the testbed once, or pass --ca)`);
        return true;
      }),
  handler: async (argv) => {
    const secure = argv.tls ?? argv.port === 2465;
    try {
      const sent = await submitAs(
        { host: argv.host, port: argv.port, caPem: readFileSync(argv.ca, 'utf8'), secure },
        argv.password,
        {
          from: argv.from,
          to: argv.to,
          cc: argv.cc,
          subject: argv.subject,
          text: argv.text,
          html: argv.html,
          messageId: argv['message-id'],
          receipt: argv.receipt,
          attachments: (argv.attach ?? []).map((path) => ({ filename: basename(path), content: readFileSync(path) })),
        },
      );
      process.stdout.write(argv.json
        ? `${JSON.stringify({ messageId: sent.messageId, identificativo: sent.identificativo, response: sent.response })}\n`
        : `accepted for processing: ${sent.response}\nMessage-ID: ${sent.messageId}\n`);
    } catch (error) {
      process.stderr.write(`pec-testbed send: ${failure(error, argv.host, argv.port, secure)}\n`);
      process.exitCode = 1;
    }
  },
};

/** a regular file this process may read: a directory or an unreadable file is a usage error too, not EISDIR later */
function readableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** the server's own words when it refused; otherwise what kept the message from reaching it */
function failure(error: unknown, host: string, port: number, secure: boolean): string {
  if (error instanceof SubmissionError) {
    if (error.response !== null) return `submission refused: ${error.response}`;
    // submitAs labels every failure "submission refused", but with no SMTP reply no server refused
    // anything: the connection, its TLS or the greeting failed
    const why = error.message.replace(/^submission refused: /, '');
    // an implicit-TLS listener waits for a handshake and never greets a plain client
    const hint = !secure && /greeting never received/i.test(why) ? ' (an implicit-TLS port? add --tls)' : '';
    return `cannot connect to ${host}:${port}: ${why}${hint}`;
  }
  return String((error as Error)?.message ?? error);
}
