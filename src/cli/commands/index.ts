// The list of CLI commands; each module is owned by the feature it exposes.
import type { CommandModule } from 'yargs';
import { certsCommand } from './certs.js';
import { sendCommand } from './send.js';
import { startCommand } from './start.js';
import { indexCommand } from './index-export.js';
import { verifyCommand } from './verify.js';
import { fixturesCommand } from './fixtures.js';
import { scenarioCommand } from './scenario.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [startCommand, sendCommand, certsCommand, indexCommand, verifyCommand, fixturesCommand, scenarioCommand];
