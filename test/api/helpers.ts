// Talking to a testbed's HTTP API in tests: a small fetch wrapper that returns status, headers
// and the parsed body, and curl as an independent judge of what goes over the wire.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import type { Testbed, TestbedOptions } from '../../src/testbed/testbed.js';
import { startTestTestbed } from '../helpers/testbed.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** raw body instead of JSON */
  raw?: string;
  signal?: AbortSignal;
}

export function api(tb: Testbed) {
  const call = async <T = any>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${tb.url}${path}`, { method, headers, body: payload, signal: options.signal, redirect: 'manual' });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, text, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
  };
  return {
    get: <T = any>(path: string, options?: CallOptions) => call<T>('GET', path, undefined, options),
    post: <T = any>(path: string, body?: unknown, options?: CallOptions) => call<T>('POST', path, body, options),
    patch: <T = any>(path: string, body?: unknown, options?: CallOptions) => call<T>('PATCH', path, body, options),
    del: <T = any>(path: string, options?: CallOptions) => call<T>('DELETE', path, undefined, options),
    call,
  };
}

export type Api = ReturnType<typeof api>;

/**
 * One testbed for the whole test file: started before its tests (then handed to `use`, which
 * keeps it in the file's variables), stopped after them.
 */
export function testbedForFile(use: (started: { tb: Testbed; http: Api }) => void, options?: TestbedOptions): void {
  let tb: Testbed | undefined;
  beforeAll(async () => {
    tb = await startTestTestbed(options);
    use({ tb, http: api(tb) });
  });
  afterAll(async () => {
    await tb?.stop();
  });
}

export interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** runs curl (a client nobody here wrote) and splits its `-i` output */
export function curl(args: string[], timeoutMs = 20_000): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-i', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && !stdout.length) return reject(new Error(`curl failed: ${stderr.toString()}`));
      let rest = stdout;
      // curl -i prints every response (e.g. 100 Continue) head first; keep the last head
      for (;;) {
        const end = rest.indexOf('\r\n\r\n');
        if (end < 0) return reject(new Error(`curl: no HTTP head in ${rest.toString().slice(0, 200)}`));
        const head = rest.subarray(0, end).toString('latin1');
        rest = rest.subarray(end + 4);
        const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1]);
        if (status >= 200 || !rest.length) {
          const headers: Record<string, string> = {};
          for (const line of head.split('\r\n').slice(1)) {
            const at = line.indexOf(':');
            if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
          }
          return resolve({ status, headers, body: rest });
        }
      }
    });
  });
}

export const A = 'protocollo@pec.comune-giardinello.test';
export const A2 = 'utente@pec.alfa.test';
export const B = 'protocollo@pec.comune-mineo.test';
export const B2 = 'mario.rossi@pec.beta.test';
export const EXT = 'cittadino@posta.ordinaria.test';
export const ALFA_RECEIPTS = 'posta-certificata@pec.alfa.test';

export const enc = encodeURIComponent;
