// The catalogue of PEC messages (pec-rules §2) as data: for every kind, who emits it and to whom,
// its marker headers, its exact Subject prefix, its daticert `tipo` / `errore`, which daticert
// elements it carries, whether the original travels with it, and the Italian title of its notice.
// Builders and the verifier read this one table, so a wire string lives in exactly one place.

import type { DaticertErrore, DaticertTipo, PecKind } from './types.js';

export interface MarkerHeader {
  /** exact spelling as emitted */
  name: string;
  value: string;
}

/** Where the original message (`postacert.eml`) travels with the kind. */
export type OriginalAttachment =
  | 'always'
  | 'never'
  /** avvenuta-consegna: completa and breve attach it (To recipients only), sintetica does not */
  | 'by-flavour';

export interface KindSpec {
  kind: PecKind;
  emittedBy: 'punto-di-accesso' | 'punto-di-ricezione' | 'punto-di-consegna';
  /** who the message is addressed to */
  addressedTo: 'mittente' | 'destinatari' | 'gestore-mittente';
  /**
   * Marker headers in emission order. The `X-Ricevuta` value always equals the daticert tipo
   * actually written (see `effectiveTipo`): the 24 h notice as `errore-consegna` in that dialect
   * and `tipoOverride` quirks move the marker with the tipo, so marker and daticert never disagree.
   */
  markers: readonly MarkerHeader[];
  /** exact Subject prefix, trailing space included; the original subject follows it */
  subjectPrefix: string;
  /** daticert tipo; null: no daticert.xml (anomalia) */
  tipo: DaticertTipo | null;
  /** daticert errore; null: chosen per message from `errori` (errore-consegna) or no daticert */
  errore: DaticertErrore | null;
  /** errore values the kind may carry */
  errori: readonly DaticertErrore[];
  original: OriginalAttachment;
  /** which optional daticert elements the kind carries */
  daticert: { ricevuta: boolean; consegna: boolean; ricezione: boolean };
  /** first line of the human-readable notice */
  title: string;
}

const none = { ricevuta: false, consegna: false, ricezione: false } as const;

/**
 * The 12 h and 24 h notices are the same on the wire (pec-rules §2: "as 12 h"); only the title of
 * the human-readable text differs.
 */
const TIMEOUT_NOTICE = {
  emittedBy: 'punto-di-accesso',
  addressedTo: 'mittente',
  markers: [{ name: 'X-Ricevuta', value: 'preavviso-errore-consegna' }],
  subjectPrefix: 'AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: ',
  tipo: 'preavviso-errore-consegna',
  // testbed choice: the rules give no errore for the timeout notices; `altro` says "not delivered
  // for a reason other than address or domain" and a request may pass another one
  errore: 'altro',
  errori: ['altro', 'no-dest', 'no-dominio', 'nessuno'],
  original: 'never',
  daticert: { ricevuta: false, consegna: true, ricezione: false },
} as const satisfies Omit<KindSpec, 'kind' | 'title'>;

export const KINDS: Readonly<Record<PecKind, KindSpec>> = {
  'non-accettazione': {
    kind: 'non-accettazione',
    emittedBy: 'punto-di-accesso',
    addressedTo: 'mittente',
    markers: [{ name: 'X-Ricevuta', value: 'non-accettazione' }],
    subjectPrefix: 'AVVISO DI NON ACCETTAZIONE: ',
    tipo: 'non-accettazione',
    errore: 'altro',
    errori: ['altro'],
    original: 'never',
    daticert: none,
    title: 'Avviso di non accettazione',
  },
  'non-accettazione-virus': {
    kind: 'non-accettazione-virus',
    emittedBy: 'punto-di-accesso',
    addressedTo: 'mittente',
    markers: [
      { name: 'X-Ricevuta', value: 'non-accettazione' },
      { name: 'X-VerificaSicurezza', value: 'errore' },
    ],
    subjectPrefix: 'AVVISO DI NON ACCETTAZIONE PER VIRUS: ',
    tipo: 'non-accettazione',
    errore: 'virus',
    errori: ['virus'],
    original: 'never',
    daticert: none,
    title: 'Avviso di non accettazione per virus',
  },
  accettazione: {
    kind: 'accettazione',
    emittedBy: 'punto-di-accesso',
    addressedTo: 'mittente',
    markers: [{ name: 'X-Ricevuta', value: 'accettazione' }],
    subjectPrefix: 'ACCETTAZIONE: ',
    tipo: 'accettazione',
    errore: 'nessuno',
    errori: ['nessuno'],
    original: 'never',
    daticert: none,
    title: 'Ricevuta di accettazione',
  },
  'posta-certificata': {
    kind: 'posta-certificata',
    emittedBy: 'punto-di-accesso',
    addressedTo: 'destinatari',
    markers: [{ name: 'X-Trasporto', value: 'posta-certificata' }],
    subjectPrefix: 'POSTA CERTIFICATA: ',
    tipo: 'posta-certificata',
    errore: 'nessuno',
    errori: ['nessuno'],
    original: 'always',
    daticert: { ricevuta: true, consegna: false, ricezione: false },
    title: 'Messaggio di posta certificata',
  },
  'presa-in-carico': {
    kind: 'presa-in-carico',
    emittedBy: 'punto-di-ricezione',
    addressedTo: 'gestore-mittente',
    markers: [{ name: 'X-Ricevuta', value: 'presa-in-carico' }],
    subjectPrefix: 'PRESA IN CARICO: ',
    tipo: 'presa-in-carico',
    errore: 'nessuno',
    errori: ['nessuno'],
    original: 'never',
    daticert: { ricevuta: false, consegna: false, ricezione: true },
    title: 'Ricevuta di presa in carico',
  },
  anomalia: {
    kind: 'anomalia',
    emittedBy: 'punto-di-ricezione',
    addressedTo: 'destinatari',
    markers: [{ name: 'X-Trasporto', value: 'errore' }],
    subjectPrefix: 'ANOMALIA MESSAGGIO: ',
    tipo: null,
    errore: null,
    errori: [],
    original: 'always',
    daticert: none,
    title: 'Anomalia nel messaggio',
  },
  'rilevazione-virus': {
    kind: 'rilevazione-virus',
    emittedBy: 'punto-di-ricezione',
    addressedTo: 'gestore-mittente',
    // X-Mittente (the original sender) is added per message by the builder
    markers: [{ name: 'X-Ricevuta', value: 'rilevazione-virus' }],
    subjectPrefix: 'PROBLEMA DI SICUREZZA: ',
    tipo: 'rilevazione-virus',
    errore: 'virus',
    errori: ['virus'],
    original: 'never',
    daticert: { ricevuta: false, consegna: false, ricezione: true },
    title: 'Avviso di rilevazione virus',
  },
  'errore-consegna-virus': {
    kind: 'errore-consegna-virus',
    // the sender's gestore, when the recipient's rilevazione virus reaches it (rules §2)
    emittedBy: 'punto-di-accesso',
    addressedTo: 'mittente',
    markers: [
      { name: 'X-Ricevuta', value: 'errore-consegna' },
      { name: 'X-VerificaSicurezza', value: 'errore' },
    ],
    subjectPrefix: 'AVVISO DI MANCATA CONSEGNA PER VIRUS: ',
    tipo: 'errore-consegna',
    errore: 'virus',
    errori: ['virus'],
    original: 'never',
    daticert: { ricevuta: false, consegna: true, ricezione: false },
    title: 'Avviso di mancata consegna per virus',
  },
  'avvenuta-consegna': {
    kind: 'avvenuta-consegna',
    emittedBy: 'punto-di-consegna',
    addressedTo: 'mittente',
    markers: [{ name: 'X-Ricevuta', value: 'avvenuta-consegna' }],
    subjectPrefix: 'CONSEGNA: ',
    tipo: 'avvenuta-consegna',
    errore: 'nessuno',
    errori: ['nessuno'],
    original: 'by-flavour',
    daticert: { ricevuta: true, consegna: true, ricezione: false },
    title: 'Ricevuta di avvenuta consegna',
  },
  'errore-consegna': {
    kind: 'errore-consegna',
    emittedBy: 'punto-di-consegna',
    addressedTo: 'mittente',
    markers: [{ name: 'X-Ricevuta', value: 'errore-consegna' }],
    subjectPrefix: 'AVVISO DI MANCATA CONSEGNA: ',
    tipo: 'errore-consegna',
    errore: null,
    errori: ['no-dest', 'no-dominio', 'altro'],
    original: 'never',
    daticert: { ricevuta: false, consegna: true, ricezione: false },
    title: 'Avviso di mancata consegna',
  },
  'preavviso-12h': { kind: 'preavviso-12h', ...TIMEOUT_NOTICE, title: 'Preavviso di mancata consegna' },
  // the 24 h notice's tipo is a default: the dialect's `notice24hTipo` decides (pec-rules §2 [C])
  'errore-24h': { kind: 'errore-24h', ...TIMEOUT_NOTICE, title: 'Avviso di mancata consegna per superamento dei tempi massimi' },
};

export const PEC_KINDS: readonly PecKind[] = Object.keys(KINDS) as PecKind[];

export function kindSpec(kind: PecKind): KindSpec {
  const spec = (KINDS as Record<string, KindSpec | undefined>)[kind];
  if (!spec) throw new Error(`unknown PEC kind "${kind}"; known: ${PEC_KINDS.join(', ')}`);
  return spec;
}

/** Marker headers with `X-Ricevuta` following the tipo actually written in daticert. */
export function markersFor(spec: KindSpec, tipo: DaticertTipo | null): MarkerHeader[] {
  return spec.markers.map((m) => (m.name === 'X-Ricevuta' && tipo ? { name: m.name, value: tipo } : { ...m }));
}
