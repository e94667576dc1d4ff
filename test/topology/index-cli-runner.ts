// Runs only the `index` command, the way src/cli/main.ts wires commands, so that the test of this
// command does not depend on every other command of the CLI importing cleanly.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { indexCommand } from '../../src/cli/commands/index-export.js';

await yargs(hideBin(process.argv))
  .scriptName('pec-testbed')
  .strict()
  .command(indexCommand)
  .demandCommand(1)
  .fail((message, error) => {
    process.stderr.write(`pec-testbed: ${error ? error.message : message}\n`);
    process.exit(2);
  })
  .parseAsync();
