// Shared by the PKI tests: temp directories removed after the file, and openssl as the judge.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir: generated keys never land in the working tree. */
export function tempDir(prefix = 'pec-pki-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function writeTemp(dir: string, name: string, data: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function openssl(args: string[], input?: string | Buffer): Run {
  const result = spawnSync('openssl', args, { input, timeout: 30_000 });
  return {
    status: result.status,
    stdout: result.stdout?.toString('utf8') ?? '',
    stderr: result.stderr?.toString('utf8') ?? '',
  };
}

/** `openssl x509 -text` of a PEM certificate. */
export function x509Text(pem: string): string {
  const run = openssl(['x509', '-noout', '-text'], pem);
  if (run.status !== 0) throw new Error(`openssl x509 failed: ${run.stderr}`);
  return run.stdout;
}

/** The lines after an extension's name in `openssl x509 -text`, up to the next extension. */
export function extensionBlock(text: string, name: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(name));
  if (start < 0) return '';
  const block = [lines[start]];
  for (const line of lines.slice(start + 1)) {
    if (/^\s+(X509v3|Authority Information|Signature Algorithm|Signature Value)/.test(line)) break;
    block.push(line);
  }
  return block.join('\n');
}
