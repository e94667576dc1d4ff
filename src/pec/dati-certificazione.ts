// What a message certifies: from a build request to the content of its daticert.xml (pec-rules §5)
// — tipo and errore of the kind (the dialect's for the 24 h notice, a quirk's when overridden),
// the message facts, the event time, and the elements only some kinds carry (ricevuta, consegna,
// ricezione, errore-esteso). Requests that contradict the catalogue are refused here, loudly.

import { kindSpec } from './kinds.js';
import { daticertData } from './time.js';
import type {
  Daticert, DaticertErrore, DaticertTipo, Dialect, MessageFacts, PecKind, ReceiptFlavour,
} from './types.js';

export interface CertificationRequest {
  kind: PecKind;
  facts: MessageFacts;
  consegna?: string;
  ricezione?: string[];
  errore?: DaticertErrore;
  erroreEsteso?: string;
  flavour?: ReceiptFlavour;
  omitMsgid?: boolean;
  tipoOverride?: DaticertTipo;
  erroreEstesoPrefix?: string;
}

/** daticert tipo actually written (null for anomalia, which has no daticert). */
export function effectiveTipo(req: Pick<CertificationRequest, 'kind' | 'tipoOverride'>, dialect: Dialect): DaticertTipo | null {
  const spec = kindSpec(req.kind);
  if (spec.tipo === null) return null;
  if (req.tipoOverride) return req.tipoOverride;
  return req.kind === 'errore-24h' ? dialect.notice24hTipo : spec.tipo;
}

export function effectiveErrore(req: Pick<CertificationRequest, 'kind' | 'errore'>): DaticertErrore {
  const spec = kindSpec(req.kind);
  if (req.errore !== undefined) {
    if (!spec.errori.includes(req.errore)) {
      throw new Error(`${req.kind}: errore "${req.errore}" is not allowed; use one of ${spec.errori.join(', ') || '(none)'}`);
    }
    return req.errore;
  }
  return spec.errore ?? 'altro';
}

/** `erroreEstesoPrefix` is prepended as given (quirks such as Aruba's `5.4.1 - `), null when neither is set. */
export function effectiveErroreEsteso(req: Pick<CertificationRequest, 'erroreEsteso' | 'erroreEstesoPrefix'>): string | null {
  if (req.erroreEsteso === undefined && req.erroreEstesoPrefix === undefined) return null;
  return `${req.erroreEstesoPrefix ?? ''}${req.erroreEsteso ?? ''}`;
}

/** The daticert of a message emitted by `gestoreName` at `at`; null for kinds without one. */
export function datiCertificazione(gestoreName: string, dialect: Dialect, at: number, req: CertificationRequest): Daticert | null {
  const spec = kindSpec(req.kind);
  const tipo = effectiveTipo(req, dialect);
  if (tipo === null) return null;
  const { facts } = req;
  let consegna: string | null = null;
  if (spec.daticert.consegna) {
    if (!req.consegna) throw new Error(`${req.kind}: consegna (the recipient concerned) is required`);
    consegna = req.consegna;
  }
  let ricezione: string[] = [];
  if (spec.daticert.ricezione) {
    if (!req.ricezione?.length) throw new Error(`${req.kind}: ricezione (the recipients concerned) is required`);
    ricezione = req.ricezione;
  }
  return {
    tipo,
    errore: effectiveErrore(req),
    mittente: facts.mittente,
    destinatari: facts.destinatari,
    risposte: facts.risposte,
    oggetto: facts.oggetto,
    gestoreEmittente: gestoreName,
    data: daticertData(at),
    identificativo: facts.identificativo,
    msgid: req.omitMsgid ? null : facts.msgid,
    ricevuta: spec.daticert.ricevuta ? (req.flavour ?? facts.ricevuta) : null,
    consegna,
    ricezione,
    erroreEsteso: effectiveErroreEsteso(req),
  };
}
