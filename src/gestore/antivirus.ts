// The testbed's antivirus: it knows one signature, EICAR, the industry's harmless test string,
// and finds it in plain text and inside base64 or quoted-printable encoded parts.

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const EICAR_PREFIX = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR';

export function containsEicar(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  if (text.includes(EICAR_PREFIX)) return true;
  // Quoted-printable: undo soft line breaks and =XX escapes.
  if (/=[0-9A-F]{2}|=\r?\n/i.test(text)) {
    const qp = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (qp.includes(EICAR_PREFIX)) return true;
  }
  // Base64 bodies: every run of base64-looking lines, decoded (nested postacert.eml included,
  // since its own base64 parts are plain text inside the outer message).
  const runs = text.match(/(?:^[A-Za-z0-9+/]{4,}={0,2}\r?\n)+/gm) ?? [];
  for (const run of runs) {
    const decoded = Buffer.from(run.replace(/\s+/g, ''), 'base64');
    if (decoded.length >= EICAR.length - 4 && containsEicar(decoded)) return true;
  }
  return false;
}

export { EICAR };
