// Running the real `pec-testbed` command in a child process (through tsx, so tests do not
// depend on a prior build) and reading its one-line JSON start-up report.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', main, ...args];
}

export interface StartedCli<T> {
  child: ChildProcess;
  info: T;
  stderr: () => string;
}

/** spawns `pec-testbed start ... --json` and resolves with the JSON line */
export function startCli<T = Record<string, unknown>>(args: string[], timeoutMs = 30_000): Promise<StartedCli<T>> {
  const child = spawn(process.execPath, cliArgs(['start', '--json', ...args]), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`testbed did not start in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ child, info: JSON.parse(line) as T, stderr: () => err });
      } catch (error) {
        reject(new Error(`not JSON: ${line} ${err}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`testbed exited with ${code}: ${err}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
