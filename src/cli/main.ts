// The `pec-testbed` command line: one yargs program; each command lives in its own module under
// ./commands and owns its options, output and exit codes.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';

const program = yargs(hideBin(process.argv))
  .scriptName('pec-testbed')
  .usage('$0 <command> [options]')
  .strict()
  .demandCommand(1, 'Name a command: start, send, verify, fixtures, scenario, certs, index')
  .recommendCommands()
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .fail((message, error, y) => {
    // Usage errors exit 2, like `verify` reading a file it cannot parse: 1 is kept for "invalid".
    if (error) {
      process.stderr.write(`pec-testbed: ${error.message}\n`);
    } else {
      process.stderr.write(`${y.help()}\n\npec-testbed: ${message}\n`);
    }
    process.exit(2);
  });

for (const command of commands) program.command(command);

await program.parseAsync();
