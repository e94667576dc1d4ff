// RFC 4616 SASL PLAIN message decoding, as carried by RFC 5034 AUTH. Strict base64: a garbled
// response must fail the exchange, not log someone in with half a password.

export interface PlainCredentials {
  authzid: string;
  authcid: string;
  password: string;
}

export function decodePlain(base64: string): PlainCredentials | null {
  const text = base64.trim();
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  const first = bytes.indexOf(0);
  const second = first < 0 ? -1 : bytes.indexOf(0, first + 1);
  if (first < 0 || second < 0 || bytes.indexOf(0, second + 1) >= 0) return null;
  const authzid = bytes.toString('utf8', 0, first);
  const authcid = bytes.toString('utf8', first + 1, second);
  const password = bytes.toString('utf8', second + 1);
  if (authcid.length === 0) return null;
  return { authzid, authcid, password };
}
