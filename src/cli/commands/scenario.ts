// `pec-testbed scenario run FILE...`: runs scenario files (topology, fault rules, steps, expected
// receipts) each against a fresh in-memory testbed and reports pass / fail per expectation.
// Every file is validated before anything starts. Exit 0 all passed, 1 a failure, 2 invalid files.
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { jsonReport, junitReport, loadScenarioSpec, runScenario, scenarioText, summaryLine, type ScenarioResult, type ScenarioSpec } from '../../faults/scenario/index.js';
import { ScenarioError } from '../../topology/scenario.js';
import { checkClockArgs } from './clock-options.js';

interface RunArgs {
  files: string[];
  json?: boolean;
  junit?: string;
  seed?: string;
  'clock-start'?: string;
  'clock-speed'?: number;
  certs: string;
  dump?: string;
}

/**
 * Why --junit or --dump cannot be written, asked before anything runs: a report that fails after
 * minutes of scenarios is a poor way to learn of a typo in its path. Creates the folders.
 */
function outputProblem(argv: RunArgs): string | undefined {
  const usable = (option: string, folder: string, file?: string): string | undefined => {
    try {
      mkdirSync(folder, { recursive: true });
      accessSync(folder, constants.W_OK);
      if (file !== undefined && existsSync(file) && statSync(file).isDirectory()) return `--${option} ${file} is a directory`;
      return undefined;
    } catch (error) {
      return `cannot write --${option} ${file ?? folder}: ${(error as Error).message}`;
    }
  };
  return (argv.junit ? usable('junit', dirname(argv.junit), argv.junit) : undefined) ?? (argv.dump !== undefined ? usable('dump', argv.dump) : undefined);
}

function writeDump(dir: string, result: ScenarioResult): void {
  for (const mailbox of result.mailboxes ?? []) {
    const folder = join(dir, result.name, mailbox.address);
    mkdirSync(folder, { recursive: true });
    for (const m of mailbox.messages) writeFileSync(join(folder, m.name), m.raw);
  }
}

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <files..>',
  describe: 'run scenario files against fresh testbeds and check their expectations',
  builder: (y) =>
    (y as Argv<object>)
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario YAML files' })
      .option('json', { type: 'boolean', describe: 'print one JSON report instead of text' })
      .option('junit', { type: 'string', describe: 'also write a JUnit XML report to this file' })
      .option('seed', { type: 'string', describe: 'reproducible identificativi, Message-IDs and boundaries (overrides the files)' })
      .option('clock-start', { type: 'string', describe: 'virtual start time, e.g. 2026-03-29T01:30:00+01:00 (overrides the files)' })
      .option('clock-speed', { type: 'number', describe: 'virtual ms per real ms; default 0: time moves only with advance steps' })
      .option('certs', { type: 'string', default: 'certs', describe: 'test PKI directory' })
      .option('dump', { type: 'string', describe: 'write every mailbox message as .eml under DIR/<scenario>/<address>/' })
      .check(checkClockArgs) as unknown as Argv<RunArgs>,
  handler: async (argv) => {
    const specs: ScenarioSpec[] = [];
    let invalid = false;
    for (const file of argv.files) {
      try {
        specs.push(loadScenarioSpec(file));
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        process.stderr.write(`${error.message}\n`);
        invalid = true;
      }
    }
    const problem = outputProblem(argv);
    if (problem) {
      process.stderr.write(`pec-testbed: ${problem}\n`);
      invalid = true;
    }
    if (invalid) process.exit(2);
    const results: ScenarioResult[] = [];
    for (const spec of specs) {
      const result = await runScenario(spec, {
        certsDir: argv.certs,
        seed: argv.seed,
        clockStart: argv['clock-start'] !== undefined ? Date.parse(argv['clock-start']) : undefined,
        clockSpeed: argv['clock-speed'],
        keepMessages: argv.dump !== undefined,
      });
      if (argv.dump !== undefined) writeDump(argv.dump, result);
      if (!argv.json) process.stdout.write(scenarioText(result));
      results.push(result);
    }
    if (argv.json) process.stdout.write(jsonReport(results));
    else process.stdout.write(`\n${summaryLine(results)}`);
    if (argv.junit) writeFileSync(argv.junit, junitReport(results));
    process.exit(results.every((r) => r.passed) ? 0 : 1);
  },
};

export const scenarioCommand: CommandModule<object, object> = {
  command: 'scenario <command>',
  describe: 'scenario files: run them and check their expectations',
  builder: (y) => y.command(runCommand as unknown as CommandModule<object, object>).demandCommand(1, 'Name a scenario command: run'),
  handler: () => {},
};
