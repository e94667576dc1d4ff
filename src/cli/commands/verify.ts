// `pec-testbed verify FILE.eml`: classify, verify and explain one PEC message, the testbed's or a
// real provider's. Exit 0 valid, 1 invalid (reasons printed), 2 when the file (or a --ca / --index
// file) cannot be read or is empty. Trust: --ca, else certs/ca.pem of the working directory.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { verifyPec, type PecVerdict, type ProviderIndex } from '../../pec/verify.js';
import { readProviderIndex } from '../../pec/verify-index.js';

interface VerifyArgs {
  file: string;
  ca: string[] | undefined;
  index: string | undefined;
  json: boolean;
}

const DEFAULT_CA = 'certs/ca.pem';

class Unreadable extends Error {}

function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Unreadable(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`);
  }
}

function trustedCas(args: VerifyArgs): { pems: string[]; sources: string[] } {
  const paths = args.ca && args.ca.length > 0 ? args.ca : existsSync(DEFAULT_CA) ? [DEFAULT_CA] : [];
  const pems = paths.map((p) => {
    const pem = readInput(p, 'CA file').toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Unreadable(`CA file ${p} holds no PEM certificate`);
    return pem;
  });
  return { pems, sources: paths.map((p) => resolve(p)) };
}

function loadIndex(path: string | undefined): ProviderIndex | undefined {
  if (!path) return undefined;
  try {
    return readProviderIndex(readInput(path, 'index file').toString('utf8'));
  } catch (error) {
    if (error instanceof Unreadable) throw error;
    throw new Unreadable(`cannot use index file ${path}: ${(error as Error).message}`);
  }
}

const MARK = { ok: 'ok  ', fail: 'FAIL', warn: 'warn' } as const;

/** The human summary: what it is, who signed, the daticert table, every check, the verdict. */
export function renderVerdict(file: string, v: PecVerdict, caSources: string[]): string {
  const out: string[] = [];
  const row = (label: string, value: string | null | undefined) => out.push(`${label.padEnd(14)}${value ?? '-'}`);
  row('File', file);
  row('Kind', v.kind ? `${v.kind}${v.variant && v.variant !== v.kind ? ` (${v.variant})` : ''}` : 'not a PEC message');
  row('Subject', v.subject);
  row('From', v.from);
  row('Date', v.date);
  row('Message-ID', v.ids.messageId);
  if (v.ids.riferimentoMessageId) row('Riferimento', v.ids.riferimentoMessageId);
  const s = v.signature;
  if (!s.present) row('Signature', 'none');
  else {
    row('Signature', `${s.valid ? 'intact' : 'BROKEN'} (${s.algorithm ?? '?'}${s.canonicalised ? ', after CRLF canonicalisation' : ''}), chain ${s.chainValid ? 'trusted' : 'UNTRUSTED'}, certificate ${s.validAtSigningTime ? 'valid' : 'NOT valid'} at signing time`);
    if (s.signer) {
      row('Signer', s.signer.subject);
      row('', `${s.signer.email ?? '(no e-mail)'}  SHA-1 ${s.signer.fingerprint}`);
    }
    row('Signed at', s.signingTime);
  }
  row('Trusted CA', caSources.length ? caSources.join(', ') : `none (no --ca and no ${DEFAULT_CA})`);
  const d = v.daticert;
  if (d) {
    out.push('', 'daticert.xml');
    const drow = (label: string, value: string | null | undefined) => out.push(`  ${label.padEnd(18)}${value ?? '-'}`);
    drow('tipo', d.tipo);
    drow('errore', d.errore);
    drow('mittente', d.mittente);
    d.destinatari.forEach((x, i) => drow(i === 0 ? 'destinatari' : '', `${x.address} (${x.tipo})`));
    if (d.destinatari.length === 0) drow('destinatari', null);
    drow('risposte', d.risposte);
    drow('oggetto', d.oggetto);
    drow('gestore-emittente', d.gestoreEmittente);
    drow('data', `${d.data.giorno} ${d.data.ora} ${d.data.zona}`);
    drow('identificativo', d.identificativo);
    drow('msgid', d.msgid);
    if (d.ricevuta !== null) drow('ricevuta', d.ricevuta);
    if (d.consegna !== null) drow('consegna', d.consegna);
    d.ricezione.forEach((r, i) => drow(i === 0 ? 'ricezione' : '', r));
    if (d.erroreEsteso !== null) drow('errore-esteso', d.erroreEsteso);
  }
  out.push('', 'Checks');
  for (const c of v.checks) {
    const mark = c.ok ? (c.warning ? MARK.warn : MARK.ok) : c.warning ? MARK.warn : MARK.fail;
    out.push(`  ${mark} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
  }
  out.push('', v.valid ? 'VALID' : 'INVALID');
  for (const reason of v.reasons) out.push(`  - ${reason}`);
  return `${out.join('\n')}\n`;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <file>',
  describe: 'classify, verify and explain a PEC message (.eml); exit 0 valid, 1 invalid, 2 unreadable',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'the message, as stored (.eml)' })
      .option('ca', { type: 'string', array: true, describe: `trusted CA certificate(s), PEM (default: ${DEFAULT_CA} when present)` })
      .option('index', { type: 'string', describe: "providers' index (LDIF from `index export`, or JSON): the signer must be listed and manage the From domain" })
      .option('json', { type: 'boolean', default: false, describe: 'print the verdict as JSON' }) as unknown as Argv<VerifyArgs>,
  handler: (args) => {
    let raw: Buffer;
    let cas: { pems: string[]; sources: string[] };
    let index: ProviderIndex | undefined;
    try {
      raw = readInput(args.file, 'message file');
      if (raw.length === 0) throw new Unreadable(`message file ${args.file} is empty: nothing to verify`);
      cas = trustedCas(args);
      index = loadIndex(args.index);
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      if (args.json) process.stdout.write(`${JSON.stringify({ file: args.file, valid: false, error: error.message })}\n`);
      process.stderr.write(`pec-testbed: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const verdict = verifyPec(raw, { trustedCaPem: cas.pems, index });
    if (args.json) process.stdout.write(`${JSON.stringify({ file: args.file, trustedCa: cas.sources, ...verdict }, null, 2)}\n`);
    else process.stdout.write(renderVerdict(args.file, verdict, cas.sources));
    process.exitCode = verdict.valid ? 0 : 1;
  },
};
