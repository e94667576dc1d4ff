// placeholder: replaced by the PKI work
import type { CommandModule } from 'yargs';
export const certsCommand: CommandModule = { command: 'certs', describe: 'create / show the test PKI', handler: () => {} };
