// `pec-testbed fixtures export DIR`: the signed sample pack for parser authors (see
// src/fixtures/export.ts). A fresh test PKI is issued for every export; the pack's ca.pem is the
// only certificate to trust, and no private key is written. Exit 2 on a bad dialect or an
// unwritable directory.

import type { Argv, CommandModule } from 'yargs';
import { exportFixtures, FIXTURE_DIALECTS, type FixtureDialect } from '../../fixtures/export.js';

interface ExportArgs {
  dir: string;
  dialect: string;
  json: boolean;
}

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <dir>',
  describe: 'write a signed sample of every PEC message kind, ca.pem, daticert.dtd and manifest.json into DIR',
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'output directory (created when missing)' })
      .option('dialect', { type: 'string', choices: [...FIXTURE_DIALECTS, 'all'], default: 'all', describe: 'provider dialect of the samples' })
      .option('json', { type: 'boolean', default: false, describe: 'print the manifest as JSON' }) as unknown as Argv<ExportArgs>,
  handler: async (args) => {
    const dialects: readonly FixtureDialect[] = args.dialect === 'all' ? FIXTURE_DIALECTS : [args.dialect as FixtureDialect];
    let manifest;
    try {
      manifest = await exportFixtures(args.dir, { dialects });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!code) throw error;
      process.stderr.write(`pec-testbed: cannot write fixtures into ${args.dir}: ${(error as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(manifest)}\n`);
      return;
    }
    for (const entry of manifest) process.stdout.write(`${entry.file.padEnd(44)}${entry.kind}\n`);
    process.stdout.write(`\n${manifest.length} samples, ca.pem, daticert.dtd and manifest.json written to ${args.dir}\n`);
  },
};

export const fixturesCommand: CommandModule = {
  command: 'fixtures <action>',
  describe: 'signed samples of every PEC message kind, for parser tests',
  builder: (y: Argv) => y.command(exportCommand as unknown as CommandModule).demandCommand(1, 'Name a fixtures action: export'),
  handler: () => {},
};
