// Hand-written PEC-shaped messages for parser tests: readable, byte-controlled, independent of
// the builders, so the parser is judged against the wire format and not against our own writer.

export const DTD_FROM_RULES = `<!ELEMENT postacert (intestazione, dati)>
<!ATTLIST postacert
  tipo (accettazione | non-accettazione | presa-in-carico | avvenuta-consegna |
        posta-certificata | errore-consegna | preavviso-errore-consegna | rilevazione-virus) #REQUIRED
  errore (nessuno | no-dest | no-dominio | virus | altro) "nessuno">
<!ELEMENT intestazione (mittente, destinatari+, risposte, oggetto?)>
<!ELEMENT mittente (#PCDATA)>
<!ELEMENT destinatari (#PCDATA)>
<!ATTLIST destinatari tipo (certificato | esterno) "certificato">
<!ELEMENT risposte (#PCDATA)>
<!ELEMENT oggetto (#PCDATA)>
<!ELEMENT dati (gestore-emittente, data, identificativo, msgid?, ricevuta?, consegna?, ricezione*, errore-esteso?)>
<!ELEMENT gestore-emittente (#PCDATA)>
<!ELEMENT data (giorno, ora)>
<!ATTLIST data zona CDATA #REQUIRED>
<!ELEMENT giorno (#PCDATA)>
<!ELEMENT ora (#PCDATA)>
<!ELEMENT identificativo (#PCDATA)>
<!ELEMENT msgid (#PCDATA)>
<!ELEMENT ricevuta EMPTY>
<!ATTLIST ricevuta tipo (completa | breve | sintetica) "completa">
<!ELEMENT consegna (#PCDATA)>
<!ELEMENT ricezione (#PCDATA)>
<!ELEMENT errore-esteso (#PCDATA)>
`;

export interface DaticertSample {
  tipo: string;
  errore?: string;
  msgid?: string | null;
  ricevuta?: string;
  consegna?: string;
  oggetto?: string;
}

export function daticertXml(s: DaticertSample): string {
  const msgid = s.msgid === undefined ? '&lt;client-1@pec.comune-giardinello.test&gt;' : s.msgid;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<postacert tipo="${s.tipo}" errore="${s.errore ?? 'nessuno'}">`,
    '  <intestazione>',
    '    <mittente>protocollo@pec.comune-giardinello.test</mittente>',
    '    <destinatari tipo="certificato">protocollo@pec.comune-mineo.test</destinatari>',
    '    <risposte>protocollo@pec.comune-giardinello.test</risposte>',
    `    <oggetto>${s.oggetto ?? 'Protocollo n. 1234/2026'}</oggetto>`,
    '  </intestazione>',
    '  <dati>',
    '    <gestore-emittente>Beta Certificata S.r.l. (TEST)</gestore-emittente>',
    '    <data zona="+0100">',
    '      <giorno>15/01/2026</giorno>',
    '      <ora>10:30:00</ora>',
    '    </data>',
    '    <identificativo>opec1.20260115103000.1.1.1@pec.alfa.test</identificativo>',
    ...(msgid === null ? [] : [`    <msgid>${msgid}</msgid>`]),
    ...(s.ricevuta ? [`    <ricevuta tipo="${s.ricevuta}"/>`] : []),
    ...(s.consegna ? [`    <consegna>${s.consegna}</consegna>`] : []),
    '  </dati>',
    '</postacert>',
    '',
  ].join('\n');
}

/** A multipart/mixed notice with text, daticert and optionally an original. */
export function mixedBody(opts: { daticert?: string; postacert?: string; text?: string; boundary?: string }): string {
  const b = opts.boundary ?? 'mixed-boundary';
  const parts = [
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${opts.text ?? 'Ricevuta di avvenuta consegna\r\nIl giorno 15/01/2026 alle ore 10:30:00 (+0100) il messaggio è stato consegnato.'}`,
  ];
  if (opts.daticert) {
    parts.push(
      `Content-Type: application/xml; name="daticert.xml"\r\nContent-Disposition: inline; filename="daticert.xml"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(opts.daticert).toString('base64').replace(/.{76}/g, '$&\r\n')}`,
    );
  }
  if (opts.postacert) {
    parts.push(`Content-Type: message/rfc822; name="postacert.eml"\r\nContent-Disposition: attachment; filename="postacert.eml"\r\n\r\n${opts.postacert}`);
  }
  return `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n` + parts.map((p) => `--${b}\r\n${p}\r\n`).join('') + `--${b}--\r\n`;
}

/** multipart/signed around `inner`, with given outer headers and a (possibly fake) signature. */
export function signedMessage(headers: string[], inner: string, signatureBase64 = 'MAA=', protocol = 'application/pkcs7-signature', b = 'signed-boundary'): string {
  return [
    ...headers,
    'MIME-Version: 1.0',
    `Content-Type: multipart/signed; protocol="${protocol}"; micalg=sha-256;\r\n\tboundary="${b}"`,
    '',
    'This is an S/MIME signed message',
    `--${b}`,
    inner.replace(/\r\n$/, ''),
    `--${b}`,
    'Content-Type: application/pkcs7-signature; name="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7s"',
    '',
    signatureBase64,
    `--${b}--`,
    '',
  ].join('\r\n');
}

export const ORIGINAL = [
  'From: "Comune di Giardinello" <protocollo@pec.comune-giardinello.test>',
  'To: protocollo@pec.comune-mineo.test',
  'Subject: Protocollo n. 1234/2026',
  'Message-ID: <client-1@pec.comune-giardinello.test>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Si trasmette la richiesta.',
  '',
].join('\r\n');

export function receiptHeaders(marker: string, subject: string, extra: string[] = []): string[] {
  return [
    'Date: Thu, 15 Jan 2026 10:30:00 +0100',
    'From: posta-certificata@pec.beta.test',
    'To: protocollo@pec.comune-giardinello.test',
    `Subject: ${subject}`,
    'Message-ID: <receipt-1@pec.beta.test>',
    'X-Riferimento-Message-ID: <client-1@pec.comune-giardinello.test>',
    marker,
    ...extra,
  ];
}
