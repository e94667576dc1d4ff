// Clients nobody here wrote, submitting to the punto di accesso: Python's smtplib over STARTTLS
// and over implicit TLS, and the `pec-testbed send` command; each must get the identificativo
// back and, later, the signed accettazione.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePec } from '../../src/pec/parse.js';
import type { Testbed } from '../../src/testbed/testbed.js';
import { cliArgs, exited, repoRoot, startCli } from '../helpers/cli.js';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { inbox, rawOf, startTestTestbed, testCertsDir } from '../helpers/testbed.js';

const A = 'suap@pec.comune-giardinello.test';
const B = 'impresa@pec.beta.test';
let tb: Testbed;
let caFile: string;

beforeAll(async () => {
  tb = await startTestTestbed();
  caFile = join(mkdtempSync(join(tmpdir(), 'pec-ca-')), 'ca.pem');
  writeFileSync(caFile, tb.caPem);
});
afterAll(async () => {
  await tb?.stop();
});

function accettazioneFor(identificativo: string) {
  return inbox(tb, A).map((hit) => ({ hit, parsed: parsePec(rawOf(tb, hit)) }))
    .find((m) => m.parsed.kind === 'accettazione' && m.parsed.daticert?.identificativo === identificativo);
}

const PYTHON = `
import smtplib, ssl, sys
from email.message import EmailMessage
host, port, mode, ca, sender, to, password = sys.argv[1:8]
ctx = ssl.create_default_context(cafile=ca)
msg = EmailMessage()
msg["From"], msg["To"], msg["Subject"] = sender, to, "Pratica SUAP n. 7 (%s)" % mode
msg["Message-ID"] = "<python-%s@suap.test>" % mode
msg.set_content("Si trasmette la pratica.")
try:
    if mode == "starttls":
        s = smtplib.SMTP(host, int(port)); s.starttls(context=ctx)
    else:
        s = smtplib.SMTP_SSL(host, int(port), context=ctx)
    s.login(sender, password)
    refused = s.send_message(msg)
    s.quit()
    print("OK")
except smtplib.SMTPAuthenticationError as e:
    print("AUTH", e.smtp_code); sys.exit(3)
`;

// Asynchronous on purpose: the testbed runs in this process and must keep answering meanwhile.
function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function python(mode: 'starttls' | 'ssl', password = 'pec') {
  const endpoint = mode === 'starttls' ? tb.endpoints.submission : tb.endpoints.submissionTls;
  return run('python3', ['-c', PYTHON, endpoint.host, String(endpoint.port), mode, caFile, A, B, password]);
}

describe('Python smtplib', () => {
  it.each(['starttls', 'ssl'] as const)('submits over %s and gets a signed accettazione', async (mode) => {
    const result = await python(mode);
    expect(result.stdout, result.stderr).toContain('OK');
    await tb.idle();
    const flow = tb.store.findFlows({ clientMessageId: `<python-${mode}@suap.test>` })[0];
    expect(flow).toBeDefined();
    const acc = accettazioneFor(flow.identificativo)!;
    expect(acc.parsed.subject).toBe(`ACCETTAZIONE: Pratica SUAP n. 7 (${mode})`);
    expect(opensslSmimeVerify(rawOf(tb, acc.hit), tb.caPem).ok).toBe(true);
  });

  it('greets with the host name once, and refuses an AUTH PLAIN that asks to act as another user (RFC 4616)', async () => {
    const script = `
import base64, socket, ssl, sys
host, port, ca, user, other = sys.argv[1:6]
s = ssl.create_default_context(cafile=ca).wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline().decode().rstrip("\\r\\n")
        if line[3:4] != "-": return line
print("GREETING", reply())
s.sendall(b"EHLO client.test\\r\\n"); reply()
plain = lambda authzid: base64.b64encode(("%s\\0%s\\0pec" % (authzid, user)).encode())
s.sendall(b"AUTH PLAIN " + plain(other) + b"\\r\\n"); print("OTHER", reply())
s.sendall(b"AUTH PLAIN " + plain(user.upper()) + b"\\r\\n"); print("SELF", reply())
`;
    const endpoint = tb.endpoints.submissionTls;
    const result = await run('python3', ['-c', script, endpoint.host, String(endpoint.port), caFile, A, B]);
    expect(result.stdout, result.stderr).toMatch(/^GREETING 220 \S+ ESMTP pec-testbed$/m);
    expect(result.stdout).toMatch(/^OTHER 535 5\.7\.8 /m);
    expect(result.stdout).toMatch(/^SELF 235 /m);
  });

  it('is refused with 535 on a wrong password', async () => {
    const result = await python('starttls', 'sbagliata');
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('AUTH 535');
  });
});

describe('pec-testbed send', () => {
  // a second --port would make yargs pass an array: the tests that need another port say so here
  const send = (extra: string[], port = String(tb.endpoints.submission.port)) => run(process.execPath, cliArgs([
    'send', '--from', A, '--to', B, '--subject', 'Dal comando send', '--text', 'ciao',
    '--port', port, '--ca', caFile, ...extra,
  ]));

  it('submits as the user and prints the identificativo', async () => {
    const result = await send(['--json', '--receipt', 'sintetica']);
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { identificativo: string; messageId: string };
    expect(out.identificativo).toMatch(/@pec\.alfa\.test$/);
    await tb.idle();
    expect(accettazioneFor(out.identificativo)).toBeDefined();
    const receipt = inbox(tb, A).map((hit) => parsePec(rawOf(tb, hit)))
      .find((p) => p.kind === 'avvenuta-consegna' && p.daticert?.identificativo === out.identificativo);
    expect(receipt?.variant).toBe('avvenuta-consegna-sintetica');
  });

  it('exits 1 with the server\'s words on a wrong password', async () => {
    const result = await send(['--password', 'sbagliata']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/535/);
  });

  it('exits 2 on a missing attachment', async () => {
    const result = await send(['--attach', '/nonexistent/file.pdf']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot read attachment/);
  });

  it('exits 2 when --attach or --ca names a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pec-dir-'));
    const attach = await send(['--attach', dir]);
    expect(attach.status, attach.stderr).toBe(2);
    expect(attach.stderr).toContain(`cannot read attachment ${dir}`);
    const ca = await run(process.execPath, cliArgs(['send', '--from', A, '--to', B, '--subject', 'x', '--port', String(tb.endpoints.submission.port), '--ca', dir]));
    expect(ca.status, ca.stderr).toBe(2);
    expect(ca.stderr).toContain(`cannot read CA certificate ${dir}`);
  });

  it('exits 2 on a --port that is not a port number', async () => {
    for (const port of ['abc', '70000', '0', '25.5']) {
      const result = await send([], port);
      expect(result.status, `${port}: ${result.stderr}`).toBe(2);
      expect(result.stderr, port).toContain('--port must be a whole number from 1 to 65535');
    }
  });

  it('submits over implicit TLS with --tls on any port', async () => {
    const result = await send(['--json', '--tls'], String(tb.endpoints.submissionTls.port));
    expect(result.status, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { identificativo: string }).identificativo).toMatch(/@pec\.alfa\.test$/);
  });

  it('says it cannot connect, not that the submission was refused, when nothing listens', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const result = await send([], String(closedPort));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot connect to 127.0.0.1:${closedPort}`);
    expect(result.stderr).not.toContain('refused:');
  });

  it('calls a wrong password a refusal, with the server\'s reply', async () => {
    const result = await send(['--password', 'sbagliata']);
    expect(result.stderr).toMatch(/^pec-testbed send: submission refused: 535/);
  });
});

describe('pec-testbed start', () => {
  const start = (extra: string[]) => run(process.execPath, cliArgs(['start', '--in-memory', '--ports', 'ephemeral', '--certs', testCertsDir(), ...extra]));

  it('exits 2 on a clock start or speed the clock cannot take, before starting anything', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--clock-start', '99999-01-01'], /--clock-start 99999-01-01 must be .* between 0/],
      [['--clock-speed', '1e400'], /--clock-speed must be a finite number >= 0, got Infinity/],
      [['--clock-speed', 'abc'], /--clock-speed is not a number/],
    ];
    for (const [args, message] of cases) {
      const result = await start(args);
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('cannot start');
    }
  });

  it('exits at once on a second SIGINT while the first is still stopping', async () => {
    const started = await startCli<{ endpoints: Record<string, { host: string; port: number }> }>(['--in-memory', '--ports', 'ephemeral', '--certs', testCertsDir()]);
    const { child } = started;
    // An IMAP client that never closes its side holds the clean stop for the server's grace period
    // after its BYE: the second signal arrives while the first is still stopping.
    const imap = connect({ ...started.info.endpoints.imap, allowHalfOpen: true });
    try {
      let seen = '';
      const greeted = new Promise<void>((resolve) => imap.on('data', (d) => ((seen += d), seen.includes('* OK') && resolve())));
      await greeted;
      const byeSent = new Promise<void>((resolve) => imap.on('data', () => seen.includes('* BYE') && resolve()));
      child.kill('SIGINT');
      await byeSent;
      child.kill('SIGINT');
      expect(await exited(child)).toBe(130);
      expect(started.stderr()).toContain('SIGINT again: exiting without a clean stop');
    } finally {
      imap.destroy();
      child.kill('SIGKILL');
    }
  });
});
