// Shared fixtures of the builder tests: a throwaway PKI in a temp dir, the two test gestori in
// both dialects, a submitted original with its facts, and the external judges (openssl, xmllint).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createCa, issueSigner } from '../../src/pki/index.js';
import {
  DATICERT_DTD, acceptOriginal, extractFacts, legacy, readOriginal, seededIds, standard,
  type BuildContext, type Dialect, type GestoreIdentity, type MessageFacts,
} from '../../src/pec/index.js';

const run = promisify(execFile);

export interface Workspace {
  dir: string;
  caPath: string;
  dtdPath: string;
  alfa: (dialect: Dialect) => GestoreIdentity;
  beta: (dialect: Dialect) => GestoreIdentity;
  cleanup: () => void;
}

export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'pec-build-'));
  const ca = createCa();
  const alfaSigner = issueSigner(ca, { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test' });
  const betaSigner = issueSigner(ca, { id: 'beta', name: 'Beta Certificata S.r.l. (TEST)', mailDomain: 'pec.beta.test' });
  const caPath = join(dir, 'ca.pem');
  const dtdPath = join(dir, 'daticert.dtd');
  writeFileSync(caPath, ca.certPem);
  writeFileSync(dtdPath, DATICERT_DTD);
  return {
    dir,
    caPath,
    dtdPath,
    alfa: (dialect) => ({ id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test', dialect, signer: alfaSigner }),
    beta: (dialect) => ({ id: 'beta', name: 'Beta Certificata S.r.l. (TEST)', mailDomain: 'pec.beta.test', dialect, signer: betaSigner }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const DIALECTS: ReadonlyArray<[string, Dialect]> = [['standard', standard], ['legacy', legacy]];

/** 2026-03-29 10:15:30 in Rome (CEST, after the spring change) */
export const AT = Date.UTC(2026, 2, 29, 8, 15, 30);

export const IDENTIFICATIVO = 'opec21.20260329101530.24680.07.1.42@pec.alfa.test';

const CRLF = '\r\n';

/** A submitted message with To, Cc (one ordinary recipient), a UTF-8 subject and a PDF attachment. */
export function submittedOriginal(extraHeaders = ''): Buffer {
  return Buffer.from([
    'Received: from [127.0.0.1] (localhost [127.0.0.1])',
    '\tby pec.alfa.test (PEC testbed) with ESMTPSA; Sun, 29 Mar 2026 10:15:29 +0200',
    'From: "Ufficio Protocollo" <protocollo@pec.comune-giardinello.test>',
    'To: mario.rossi@pec.beta.test, "Cittadino" <cittadino@posta.ordinaria.test>',
    'Cc: impresa@pec.beta.test',
    'Subject: =?UTF-8?Q?Convocazione_citt=C3=A0?= #123 [prot. 2026/45]',
    'Date: Sun, 29 Mar 2026 10:15:00 +0200',
    'Message-ID: <20260329101500.client-42@comune-giardinello.test>',
    'X-TipoRicevuta: completa',
    ...(extraHeaders ? [extraHeaders] : []),
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="orig-boundary"',
    '',
    '--orig-boundary',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Si convoca la riunione in città.',
    '--orig-boundary',
    'Content-Type: application/pdf; name="convocazione.pdf"',
    'Content-Disposition: attachment; filename="convocazione.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4\n% testbed attachment\n').toString('base64'),
    '--orig-boundary--',
    '',
  ].join(CRLF));
}

export const ATTACHMENT_BYTES = Buffer.from('%PDF-1.4\n% testbed attachment\n');

export function tipoOf(address: string): 'certificato' | 'esterno' {
  return address.endsWith('@posta.ordinaria.test') ? 'esterno' : 'certificato';
}

export function acceptedSample(extraHeaders = ''): { original: Buffer; accepted: Buffer; facts: MessageFacts } {
  const original = submittedOriginal(extraHeaders);
  const { accepted } = acceptOriginal(original, IDENTIFICATIVO);
  const facts = extractFacts(readOriginal(original), IDENTIFICATIVO, tipoOf);
  return { original, accepted, facts };
}

export function context(gestore: GestoreIdentity, seed: string | number = 'seed', at = AT): BuildContext {
  return { gestore, at, ids: seededIds(seed) };
}

let fileCounter = 0;

export function writeTemp(ws: Workspace, name: string, bytes: Buffer | string): string {
  const path = join(ws.dir, `${fileCounter++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** `openssl smime -verify -CAfile ca.pem` with the default S/MIME purpose: true when it passes. */
export async function opensslVerifies(ws: Workspace, raw: Buffer): Promise<{ ok: boolean; stderr: string }> {
  const path = writeTemp(ws, 'message.eml', raw);
  try {
    const { stderr } = await run('openssl', ['smime', '-verify', '-CAfile', ws.caPath, '-in', path, '-out', '/dev/null']);
    return { ok: true, stderr };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr ?? error) };
  }
}

/** `xmllint --noout --dtdvalid daticert.dtd`: true when the document is valid. */
export async function xmllintValid(ws: Workspace, xml: Buffer): Promise<{ ok: boolean; stderr: string }> {
  const path = writeTemp(ws, 'daticert.xml', xml);
  try {
    await run('xmllint', ['--noout', '--dtdvalid', ws.dtdPath, path]);
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr ?? error) };
  }
}

export async function xpath(ws: Workspace, xml: Buffer, expression: string): Promise<string> {
  const path = writeTemp(ws, 'daticert.xml', xml);
  const { stdout } = await run('xmllint', ['--xpath', expression, path], { encoding: 'utf8' });
  // xmllint ends its answer with a newline of its own
  return stdout.replace(/\n$/, '');
}

export function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
}

/** Names of the top-level header fields, as written, in order. */
export function headerNames(raw: Buffer): string[] {
  const end = raw.indexOf('\r\n\r\n');
  return raw.toString('latin1', 0, end).split('\r\n').filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')));
}

/** Value of a top-level header (first match, case-sensitive name), unfolded, not decoded. */
export function headerValue(raw: Buffer, name: string): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const unfolded = raw.toString('latin1', 0, end).replace(/\r\n(?=[ \t])/g, '');
  for (const line of unfolded.split('\r\n')) {
    if (line.startsWith(`${name}:`)) return line.slice(name.length + 1).trim();
  }
  return undefined;
}
