// A worker thread on a module of this package. From dist/ that is plain JavaScript. From src/
// (tests, `tsx`) the module is TypeScript, and on Node 20 the main thread's tsx loader does not
// reach into workers: the thread first registers tsx's loader itself, then imports the module.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function moduleWorker(entry: URL, options: Pick<WorkerOptions, 'workerData'> = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const require = createRequire(import.meta.url);
  const tsxDir = path.dirname(require.resolve('tsx/package.json'));
  const exports = (require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsxApi = pathToFileURL(path.join(tsxDir, exports['./esm/api'].import.default)).href;
  const boot = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}

/** `name` beside the calling module: `name.ts` when it runs from src/, `name.js` from dist/ */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}
