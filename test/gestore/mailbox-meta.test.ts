// Pins the `kind` the store indexes a delivered message under. The API's `kind` filter, the
// fault rules' `kind` and data already on disk all speak this vocabulary, so it must not drift
// when the marker knowledge behind it moves; every marker combination is checked, not a sample.
import { describe, expect, it } from 'vitest';
import { metaOf } from '../../src/gestore/mailbox.js';
import { KINDS, PEC_KINDS, markersFor } from '../../src/pec/kinds.js';
import type { PecKind } from '../../src/pec/types.js';

function message(headers: Array<[string, string | undefined]>): Buffer {
  const lines = headers.filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value}`);
  return Buffer.from([...lines, 'Message-ID: <m1@pec.alfa.test>', 'Subject: prova', '', 'body', ''].join('\r\n'), 'latin1');
}

const kindOf = (ricevuta?: string, trasporto?: string, verifica?: string): string | null =>
  metaOf(message([['X-Ricevuta', ricevuta], ['X-Trasporto', trasporto], ['X-VerificaSicurezza', verifica]])).kind;

/** X-Ricevuta value → indexed kind [without X-VerificaSicurezza: errore, with it] */
const BY_RICEVUTA: Array<[string | undefined, string | null, string | null]> = [
  [undefined, null, null],
  ['', null, null],
  ['accettazione', 'accettazione', 'accettazione'],
  ['non-accettazione', 'non-accettazione', 'non-accettazione-virus'],
  ['presa-in-carico', 'presa-in-carico', 'presa-in-carico'],
  ['avvenuta-consegna', 'avvenuta-consegna', 'avvenuta-consegna'],
  ['errore-consegna', 'errore-consegna', 'errore-consegna-virus'],
  ['preavviso-errore-consegna', 'preavviso-errore-consegna', 'preavviso-errore-consegna'],
  ['rilevazione-virus', 'rilevazione-virus', 'rilevazione-virus'],
  // values outside the catalogue are indexed as written (lower-cased), so a real provider's
  // receipt stays findable; PecKind names that are not X-Ricevuta values are just such values
  ['posta-certificata', 'posta-certificata', 'posta-certificata'],
  ['preavviso-12h', 'preavviso-12h', 'preavviso-12h'],
  ['non-accettazione-virus', 'non-accettazione-virus', 'non-accettazione-virus'],
  ['ricevuta-sconosciuta', 'ricevuta-sconosciuta', 'ricevuta-sconosciuta'],
  // case and surrounding white space do not matter
  [' Non-Accettazione ', 'non-accettazione', 'non-accettazione-virus'],
  ['AVVENUTA-CONSEGNA', 'avvenuta-consegna', 'avvenuta-consegna'],
  ['Tipo-Nuovo', 'tipo-nuovo', 'tipo-nuovo'],
];

/** X-Trasporto value → indexed kind, whatever X-Ricevuta says; null: X-Ricevuta decides */
const BY_TRASPORTO: Array<[string | undefined, string | null]> = [
  [undefined, null],
  ['posta-certificata', 'posta-certificata'],
  ['errore', 'anomalia'],
  [' Posta-Certificata ', 'posta-certificata'],
  ['ERRORE', 'anomalia'],
  ['trasporto-sconosciuto', null],
];

/** X-VerificaSicurezza value → whether it marks a virus */
const BY_VERIFICA: Array<[string | undefined, boolean]> = [
  [undefined, false],
  ['errore', true],
  [' ERRORE ', true],
  ['ok', false],
  ['', false],
];

describe('metaOf kind: every marker combination', () => {
  const cases = BY_TRASPORTO.flatMap(([trasporto, byTrasporto]) =>
    BY_RICEVUTA.flatMap(([ricevuta, plain, virus]) =>
      BY_VERIFICA.map(([verifica, isVirus]) => ({
        ricevuta, trasporto, verifica, expected: byTrasporto ?? (isVirus ? virus : plain),
      })),
    ),
  );
  it.each(cases)('X-Ricevuta $ricevuta, X-Trasporto $trasporto, X-VerificaSicurezza $verifica → $expected', ({ ricevuta, trasporto, verifica, expected }) => {
    expect(kindOf(ricevuta, trasporto, verifica)).toBe(expected);
  });
});

describe('metaOf kind: the catalogue as emitted', () => {
  /** the markers each catalogue kind is emitted with → indexed kind */
  const EXPECTED: Record<PecKind, string> = {
    'non-accettazione': 'non-accettazione',
    'non-accettazione-virus': 'non-accettazione-virus',
    accettazione: 'accettazione',
    'posta-certificata': 'posta-certificata',
    'presa-in-carico': 'presa-in-carico',
    anomalia: 'anomalia',
    'rilevazione-virus': 'rilevazione-virus',
    'errore-consegna-virus': 'errore-consegna-virus',
    'avvenuta-consegna': 'avvenuta-consegna',
    'errore-consegna': 'errore-consegna',
    'preavviso-12h': 'preavviso-errore-consegna',
    'errore-24h': 'preavviso-errore-consegna',
  };

  it('covers every kind of the catalogue', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PEC_KINDS].sort());
  });

  it.each(PEC_KINDS.map((kind) => ({ kind })))('$kind', ({ kind }) => {
    const markers = markersFor(KINDS[kind], KINDS[kind].tipo);
    expect(metaOf(message(markers.map((m) => [m.name, m.value]))).kind).toBe(EXPECTED[kind]);
  });

  it('the 24 h notice written with tipo errore-consegna (dialect) is indexed as errore-consegna', () => {
    const markers = markersFor(KINDS['errore-24h'], 'errore-consegna');
    expect(metaOf(message(markers.map((m) => [m.name, m.value]))).kind).toBe('errore-consegna');
  });

  it('ordinary mail has no kind', () => {
    expect(metaOf(message([])).kind).toBeNull();
  });
});

describe('metaOf: facts that follow the kind', () => {
  it('only a busta gives its Message-ID as identificativo', () => {
    expect(metaOf(message([['X-Trasporto', 'posta-certificata']])).identificativo).toBe('m1@pec.alfa.test');
    expect(metaOf(message([['X-Trasporto', 'posta-certificata'], ['X-Ricevuta', 'accettazione']])).identificativo).toBe('m1@pec.alfa.test');
    expect(metaOf(message([['X-Ricevuta', 'accettazione']])).identificativo).toBeNull();
    expect(metaOf(message([['X-Ricevuta', 'posta-certificata']])).identificativo).toBe('m1@pec.alfa.test');
    expect(metaOf(message([['X-Trasporto', 'errore']])).identificativo).toBeNull();
  });

  it('reads the first of repeated marker headers', () => {
    const raw = message([['X-Ricevuta', 'accettazione'], ['X-Ricevuta', 'non-accettazione'], ['X-VerificaSicurezza', 'errore']]);
    expect(metaOf(raw).kind).toBe('accettazione');
  });
});
