// Test plumbing for the POP3 suite: throwaway TLS material and S/MIME fixtures made by openssl,
// and runners for the independent clients (Python poplib, curl, a raw socket for bad input).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const POPLIB_SCRIPT = join(here, 'fixtures', 'pop3_client.py');

export interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: Buffer | string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      // a string code is a spawn failure (ENOENT...): the judge is missing, not a verdict
      if (typeof code === 'string') return reject(err);
      resolve({ code: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr: stderr.toString('utf8') });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(input ?? '');
  });
}

export function tempDir(prefix = 'pop3-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A throwaway self-signed server certificate for 127.0.0.1 / localhost. */
export async function selfSignedTls(dir: string): Promise<{ key: string; cert: string; certPath: string }> {
  const keyPath = join(dir, 'tls-key.pem');
  const certPath = join(dir, 'tls-cert.pem');
  const r = await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyPath, '-out', certPath,
  ]);
  if (r.code !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

/** An S/MIME (multipart/signed) message made by `openssl smime -sign` with a throwaway signer.
 * openssl ends the base64 signature lines with bare LF even with -crlfeol; mail on the wire is
 * CRLF (RFC 5322), so the fixture is normalised to CRLF, which leaves the signed part intact. */
export async function smimeSigned(dir: string): Promise<Buffer> {
  const key = join(dir, 'signer-key.pem');
  const cert = join(dir, 'signer-cert.pem');
  const r1 = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=signer.test', '-keyout', key, '-out', cert]);
  if (r1.code !== 0) throw new Error(`openssl req failed: ${r1.stderr}`);
  const content = join(dir, 'content.txt');
  writeFileSync(content, 'Content-Type: text/plain; charset=utf-8\r\n\r\nMessaggio firmato.\r\n.a line starting with a dot\r\n.\r\nfine\r\n');
  const signed = join(dir, 'signed.eml');
  const r2 = await run('openssl', [
    'smime', '-sign', '-crlfeol', '-in', content, '-signer', cert, '-inkey', key, '-out', signed,
    '-from', 'alice@pec.alfa.test', '-to', 'bob@pec.beta.test', '-subject', 'firmato',
  ]);
  if (r2.code !== 0) throw new Error(`openssl smime -sign failed: ${r2.stderr}`);
  return Buffer.from(readFileSync(signed, 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** `openssl smime -verify -noverify`: checks the signature over the bytes, not the chain. */
export async function smimeVerifies(message: Buffer): Promise<boolean> {
  const r = await run('openssl', ['smime', '-verify', '-noverify', '-out', '/dev/null'], message);
  return r.code === 0;
}

export type PoplibStep = { op: string; conn?: string } & Record<string, unknown>;
export type PoplibResult = { ok: true; value: unknown } | { ok: false; error: string };

export async function poplib(steps: PoplibStep[], cafile?: string): Promise<PoplibResult[]> {
  const r = await run('python3', [POPLIB_SCRIPT], JSON.stringify({ host: '127.0.0.1', cafile, steps }));
  if (r.code !== 0) throw new Error(`poplib script failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')) as PoplibResult[];
}

export function b64(value: unknown): Buffer {
  return Buffer.from(String(value), 'base64');
}

export function curl(args: string[]): Promise<Run> {
  return run('curl', ['--silent', '--show-error', '--max-time', '20', ...args]);
}

/** A bare socket for what no polite client sends: bad lines, pipelining, abrupt drops. */
export class RawClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Next CRLF-terminated line (without CRLF); null when the server closed first. */
  async line(timeoutMs = 10_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buffer.indexOf('\r\n');
      if (i >= 0) {
        const l = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        return l;
      }
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error(`timeout waiting for a line; have ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Reads a multi-line response body up to the terminating ".". */
  async multiline(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) throw new Error('closed inside a multi-line response');
      if (l === '.') return lines;
      lines.push(l);
    }
  }

  async command(text: string): Promise<string | null> {
    this.send(`${text}\r\n`);
    return this.line();
  }

  /** Resolves true when the server closes the connection within timeoutMs. */
  async waitClosed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
