// Real external judges for tests: openssl for S/MIME signatures, xmllint for daticert.xml.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scratch = mkdtempSync(join(tmpdir(), 'pec-judge-'));
let counter = 0;

function file(name: string, data: Buffer | string): string {
  const path = join(scratch, `${++counter}-${name}`);
  writeFileSync(path, data);
  return path;
}

/** `openssl smime -verify` with the default S/MIME purpose; returns ok and openssl's words */
export function opensslSmimeVerify(eml: Buffer, caPem: string): { ok: boolean; output: string } {
  const result = spawnSync('openssl', ['smime', '-verify', '-in', file('m.eml', eml), '-CAfile', file('ca.pem', caPem), '-out', '/dev/null'], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export function xmllintDtd(xml: Buffer | string, dtd: string): { ok: boolean; output: string } {
  const result = spawnSync('xmllint', ['--noout', '--dtdvalid', file('daticert.dtd', dtd), file('daticert.xml', xml)], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}
