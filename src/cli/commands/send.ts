// `pec-testbed send`: a small PEC client that submits through the punto di accesso as a user,
// with STARTTLS (or implicit TLS on 2465) and the testbed's CA, and prints the identificativo the
// access point assigned. The same client the in-process and HTTP APIs use (testbed/send.ts).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { submitAs } from '../../testbed/send.js';

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
      .option('port', { type: 'number', default: 2587, describe: 'submission port (STARTTLS)' })
      .option('ca', { type: 'string', default: 'certs/ca.pem', describe: 'CA certificate to trust' })
      .option('message-id', { type: 'string', describe: 'Message-ID to use (default: generated)' })
      .option('json', { type: 'boolean' })
      .check((argv) => {
        for (const file of argv.attach ?? []) if (!existsSync(file)) throw new Error(`cannot read attachment ${file}`);
        if (!existsSync(argv.ca)) throw new Error(`CA certificate not found: ${argv.ca} (start the testbed once, or pass --ca)`);
        return true;
      }),
  handler: async (argv) => {
    try {
      const sent = await submitAs(
        { host: argv.host, port: argv.port, caPem: readFileSync(argv.ca, 'utf8'), secure: argv.port === 2465 },
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
      const e = error as { response?: string | null; message: string };
      process.stderr.write(`pec-testbed send: ${e.response ?? e.message}\n`);
      process.exitCode = 1;
    }
  },
};
