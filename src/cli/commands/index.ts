// The list of CLI commands; each module is owned by the feature it exposes.
import type { CommandModule } from 'yargs';
import { certsCommand } from './certs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [certsCommand];
