// `pec-testbed index export`: the providers' index (IGPEC) of a scenario's gestori as LDIF, with
// the signing certificates of the test PKI (created in --certs when missing). Exit 2 when the
// scenario is invalid or unreadable, like every command that cannot read its input, and when the
// PKI directory or the output file is unusable, as `certs init` and `fixtures export` do.
import { writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { loadOrCreatePki } from '../../pki/test-pki.js';
import { certRequestsOf } from '../../topology/certificates.js';
import { buildIndex, toLdif } from '../../topology/igpec.js';
import { defaultScenarioPath } from '../../topology/package-paths.js';
import { loadScenarioSpec } from '../../faults/scenario/load.js';
import { ScenarioError } from '../../topology/scenario.js';

interface ExportArgs {
  scenario: string | undefined;
  certs: string;
  out: string | undefined;
  'base-dn': string;
  'binary-option': boolean;
}

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: 'print the providers\' index (IGPEC) of the scenario as LDIF',
  builder: (y: Argv) =>
    y
      .option('scenario', { type: 'string', describe: 'scenario file (default: the bundled scenarios/default.yaml)' })
      .option('certs', { type: 'string', default: 'certs', describe: 'test PKI directory; created when missing' })
      .option('out', { type: 'string', describe: 'write the LDIF to this file instead of standard output' })
      .option('base-dn', { type: 'string', default: 'o=postacert', describe: 'DN the provider entries live under' })
      .option('binary-option', {
        type: 'boolean',
        default: false,
        describe: 'write providerCertificate;binary (for an OpenLDAP schema with the Certificate syntax)',
      }),
  handler: (args) => {
    const file = args.scenario ?? defaultScenarioPath();
    let topology;
    try {
      // the same reading as `start --scenario`, so every file that runs can be exported
      topology = loadScenarioSpec(file).topology;
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      process.stderr.write(`pec-testbed: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    let pki;
    try {
      pki = loadOrCreatePki({ dir: args.certs, gestori: certRequestsOf(topology) });
    } catch (error) {
      if (!(error as NodeJS.ErrnoException).code) throw error;
      process.stderr.write(`pec-testbed: cannot create the PKI in ${args.certs}: ${(error as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    if (pki.issued.length > 0) process.stderr.write(`pec-testbed: issued ${pki.issued.join(', ')} in ${pki.dir}\n`);
    const index = buildIndex(topology, {
      certificatePem: (id) => {
        const signer = pki.signers.get(id);
        if (!signer) throw new Error(`the PKI in ${pki.dir} has no signer for gestore "${id}"`);
        return signer.certPem;
      },
      fingerprint: (id) => pki.fingerprint(id),
    });
    const ldif = toLdif(index, args['base-dn'], { binaryOption: args['binary-option'] });
    if (args.out && args.out !== '-') {
      try {
        writeFileSync(args.out, ldif);
      } catch (error) {
        if (!(error as NodeJS.ErrnoException).code) throw error;
        process.stderr.write(`pec-testbed: cannot write ${args.out}: ${(error as Error).message}\n`);
        process.exitCode = 2;
      }
    } else process.stdout.write(ldif);
  },
};

export const indexCommand: CommandModule = {
  command: 'index <action>',
  describe: 'the providers\' index (IGPEC) of the simulated gestori',
  builder: (y: Argv) => y.command(exportCommand as CommandModule).demandCommand(1, 'Name an index action: export'),
  handler: () => {},
};
