// Throwaway PKI and signatures made by the openssl command line, an implementation nobody here
// wrote: the verifier is judged against it. Keys live in a temp dir and are deleted with it.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslKit {
  dir: string;
  caPem: string;
  caPath: string;
  signerPem: string;
  /** a second CA nobody trusts */
  foreignCaPem: string;
  /** detached CMS over `content`, DER */
  sign(content: Buffer, opts?: { md?: 'sha256' | 'sha1'; nodetach?: boolean; noattr?: boolean }): Buffer;
  /** `openssl smime -verify -CAfile ca.pem` on a whole message: true when it verifies */
  smimeVerify(message: Buffer, caPath?: string): { ok: boolean; stderr: string };
  cleanup(): void;
}

function run(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createOpensslKit(email = 'posta-certificata@pec.beta.test', org = 'Beta Certificata S.r.l. (TEST)'): OpensslKit {
  const dir = mkdtempSync(join(tmpdir(), 'pec-verify-openssl-'));
  const caExt = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
  for (const name of ['ca', 'foreign']) {
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30',
      '-subj', `/CN=Throwaway ${name} CA`, ...caExt.flatMap((e) => ['-addext', e])], dir);
  }
  writeFileSync(join(dir, 'signer.ext'), [
    `subjectAltName=email:${email}`,
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=emailProtection',
    'basicConstraints=CA:FALSE',
  ].join('\n'));
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'signer.key', '-out', 'signer.csr', '-subj', `/C=IT/O=${org}/CN=Posta Certificata ${org}`], dir);
  run(['x509', '-req', '-in', 'signer.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'signer.pem', '-days', '30', '-extfile', 'signer.ext'], dir);
  let counter = 0;
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    signerPem: readFileSync(join(dir, 'signer.pem'), 'utf8'),
    foreignCaPem: readFileSync(join(dir, 'foreign.pem'), 'utf8'),
    sign(content, opts = {}) {
      const n = counter++;
      writeFileSync(join(dir, `content-${n}`), content);
      run(['cms', '-sign', '-binary', '-in', `content-${n}`, '-signer', 'signer.pem', '-inkey', 'signer.key', '-certfile', 'ca.pem',
        '-md', opts.md ?? 'sha256', '-outform', 'DER', '-out', `sig-${n}.der`, ...(opts.nodetach ? ['-nodetach'] : []), ...(opts.noattr ? ['-noattr'] : [])], dir);
      return readFileSync(join(dir, `sig-${n}.der`));
    },
    smimeVerify(message, caPath = join(dir, 'ca.pem')) {
      const n = counter++;
      const file = join(dir, `message-${n}.eml`);
      writeFileSync(file, message);
      const r = spawnSync('openssl', ['smime', '-verify', '-in', file, '-CAfile', caPath, '-out', '/dev/null'], { encoding: 'utf8' });
      return { ok: r.status === 0, stderr: r.stderr };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
