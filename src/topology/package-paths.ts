// Where the package's own files are (scenarios/, certs/ ...), found from this module's location so
// that it works the same from src/ (tsx, vitest), from dist/ and from an installed package.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The directory holding pec-testbed's package.json. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'pec-testbed') return (cached = dir);
      } catch {
        // an unreadable package.json on the way up is not ours: keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the pec-testbed package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** scenarios/default.yaml of the package: the design's two gestori and one ordinary domain. */
export function defaultScenarioPath(): string {
  return join(packageRoot(), 'scenarios', 'default.yaml');
}
