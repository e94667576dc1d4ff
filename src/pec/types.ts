// Shared vocabulary of the PEC message library: the kinds of the catalogue (pec-rules §2), the
// certification data that every daticert.xml of one message repeats (§5), and the inputs the
// builders, signer and verifier take. Pure types: no I/O.

import type { KeyObject } from 'node:crypto';

/** daticert `tipo` values (pec-rules §5) */
export type DaticertTipo =
  | 'accettazione' | 'non-accettazione' | 'presa-in-carico' | 'avvenuta-consegna'
  | 'posta-certificata' | 'errore-consegna' | 'preavviso-errore-consegna' | 'rilevazione-virus';

/** daticert `errore` values */
export type DaticertErrore = 'nessuno' | 'no-dest' | 'no-dominio' | 'virus' | 'altro';

export type ReceiptFlavour = 'completa' | 'breve' | 'sintetica';

/**
 * Every message the catalogue knows. Same names as the fixtures manifest of `fixtures export`.
 * `errore-consegna` covers no-dest / no-dominio / altro (see `errore`), `anomalia` has no daticert.
 */
export type PecKind =
  | 'accettazione' | 'non-accettazione' | 'non-accettazione-virus' | 'posta-certificata'
  | 'presa-in-carico' | 'anomalia' | 'rilevazione-virus' | 'errore-consegna-virus'
  | 'avvenuta-consegna' | 'errore-consegna' | 'preavviso-12h' | 'errore-24h';

export interface Destinatario {
  address: string;
  tipo: 'certificato' | 'esterno';
}

/** Facts of the original message, identical in every daticert of that message. */
export interface MessageFacts {
  /** original From address (bare address) */
  mittente: string;
  /** original From display form, e.g. `"Mario Rossi" <mario.rossi@pec.beta.test>`, for the busta's From */
  mittenteDisplay: string;
  /** every original To and Cc recipient, in order */
  destinatari: Destinatario[];
  /** To recipients (bare addresses); the rest of destinatari are Cc */
  to: string[];
  /** original Reply-To, else From (bare address) */
  risposte: string;
  /** original Subject, decoded */
  oggetto: string;
  /** assigned at acceptance */
  identificativo: string;
  /** the client's original Message-ID with angle brackets; null when the client sent none */
  msgid: string | null;
  /** X-TipoRicevuta asked by the client (default completa) */
  ricevuta: ReceiptFlavour;
}

export interface Dialect {
  name: string;
  /** multipart/signed protocol parameter */
  signatureProtocol: 'application/pkcs7-signature' | 'application/x-pkcs7-signature';
  /** micalg parameter and the CMS digest */
  digest: 'sha-256' | 'sha1';
  /** charset + transfer encoding of the notice text parts */
  textCharset: 'utf-8' | 'iso-8859-1';
  textEncoding: 'base64' | 'quoted-printable' | '8bit';
  /** spelling of the X-TipoRicevuta header copied into the busta */
  tipoRicevutaHeader: string;
  /** hash that replaces attachments in breve receipts */
  breveHash: 'sha256' | 'sha1';
  /** daticert tipo of the 24 h notice */
  notice24hTipo: 'preavviso-errore-consegna' | 'errore-consegna';
  /** write `micalg="sha1"` (legacy providers) instead of the bare token; default false */
  micalgQuoted?: boolean;
}

/** A gestore as the message library sees it: who signs, in which name and dialect. */
export interface GestoreIdentity {
  id: string;
  /** legal name: `gestore-emittente`, CN of the signing certificate */
  name: string;
  /** mail domain of `posta-certificata@<domain>` */
  mailDomain: string;
  dialect: Dialect;
  signer: Signer;
}

export interface Signer {
  /** signing certificate, PEM */
  certPem: string;
  /** CA certificates to embed after it, PEM (issuer first) */
  chainPem: string[];
  privateKey: KeyObject;
}

/** Randomness is injected so that a seed makes output reproducible. */
export interface IdSource {
  /** a fresh token of [0-9a-z] characters of the given length */
  token(length: number): string;
}

/** daticert `data`: Italian local time of the event */
export interface DaticertData {
  /** DD/MM/YYYY */
  giorno: string;
  /** HH:MM:SS */
  ora: string;
  /** offset from UTC, `+0100` or `+0200` */
  zona: string;
}

/** The content of one daticert.xml (pec-rules §5), element by element. */
export interface Daticert {
  tipo: DaticertTipo;
  errore: DaticertErrore;
  mittente: string;
  destinatari: Destinatario[];
  risposte: string;
  /** null when the element is absent */
  oggetto: string | null;
  gestoreEmittente: string;
  data: DaticertData;
  identificativo: string;
  /** with angle brackets, as in the file after unescaping; null when absent */
  msgid: string | null;
  /** `<ricevuta tipo=.../>`; null when absent */
  ricevuta: ReceiptFlavour | null;
  consegna: string | null;
  ricezione: string[];
  erroreEsteso: string | null;
}
