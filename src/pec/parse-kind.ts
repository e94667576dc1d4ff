// Which message of the catalogue (pec-rules §2) a message is, read from three independent
// witnesses: the marker headers (X-Ricevuta / X-Trasporto / X-VerificaSicurezza), the Subject
// prefix and the daticert `tipo`/`errore`. Markers decide; the other two are cross-checked so that
// a verifier can say where they disagree. Header names and values are matched case-insensitively.

import { KINDS, PEC_KINDS, type MarkerHeader } from './kinds.js';
import type { DaticertErrore, DaticertTipo, PecKind, ReceiptFlavour } from './types.js';
import type { HeaderMap } from './mime-headers.js';

/**
 * The finest classification: a PecKind with its flavour or error folded in. These are the names
 * of the fixtures manifest (plus `errore-consegna-altro`, which the manifest does not sample).
 */
export const PEC_VARIANTS = [
  'accettazione', 'non-accettazione', 'non-accettazione-virus', 'posta-certificata',
  'presa-in-carico', 'anomalia', 'rilevazione-virus', 'errore-consegna-virus',
  'avvenuta-consegna-completa', 'avvenuta-consegna-breve', 'avvenuta-consegna-sintetica',
  'errore-consegna-no-dest', 'errore-consegna-no-dominio', 'errore-consegna-altro',
  'preavviso-12h', 'errore-24h',
] as const;
export type PecVariant = (typeof PEC_VARIANTS)[number];

/** Subject prefixes of the catalogue, longest first so that `... PER VIRUS: ` wins over its shorter sibling. */
export const SUBJECT_PREFIXES: ReadonlyArray<readonly [string, PecKind]> = PEC_KINDS
  .filter((kind) => kind !== 'errore-24h') // shares the 12 h prefix; told apart by daticert
  .map((kind) => [KINDS[kind].subjectPrefix, kind] as const)
  .sort((a, b) => b[0].length - a[0].length);

/** daticert tipo values each kind may carry: the catalogue's, and the 24 h notice's dialect variant (§2). */
export function tipiOfKind(kind: PecKind): readonly (DaticertTipo | null)[] {
  return kind === 'errore-24h' ? ['preavviso-errore-consegna', 'errore-consegna'] : [KINDS[kind].tipo];
}

/** the kinds that share one Subject prefix and one marker, told apart only by daticert */
function family(kind: PecKind): PecKind {
  return kind === 'errore-24h' ? 'preavviso-12h' : kind;
}

/** Kind named by the Subject prefix (exact case first, then case-insensitive) and the rest of the Subject. */
export function kindFromSubject(subject: string | null): { kind: PecKind; rest: string; exactCase: boolean } | null {
  if (!subject) return null;
  const trimmed = subject.replace(/^\s+/, '');
  for (const [prefix, kind] of SUBJECT_PREFIXES) {
    if (trimmed.startsWith(prefix)) return { kind, rest: trimmed.slice(prefix.length), exactCase: true };
  }
  const upper = trimmed.toUpperCase();
  for (const [prefix, kind] of SUBJECT_PREFIXES) {
    if (upper.startsWith(prefix)) return { kind, rest: trimmed.slice(prefix.length), exactCase: false };
  }
  return null;
}

export interface MarkerReading {
  kind: PecKind | null;
  problems: string[];
}

/** Catalogue entries told apart by markers alone (the 24 h notice shares the 12 h markers). */
const MARKED_KINDS = PEC_KINDS.filter((kind) => kind !== 'errore-24h');

function markersMatch(headers: HeaderMap, markers: readonly MarkerHeader[]): boolean {
  return markers.every((m) => headers.get(m.name)?.trim().toLowerCase() === m.value.toLowerCase());
}

export function kindFromMarkers(headers: HeaderMap): MarkerReading {
  const problems: string[] = [];
  if (headers.has('x-ricevuta') && headers.has('x-trasporto')) problems.push('both X-Ricevuta and X-Trasporto are present');
  // the entry whose markers all match, the most specific (most markers) winning: `... per virus`
  let best: PecKind | null = null;
  let bestCount = 0;
  for (const kind of MARKED_KINDS) {
    const markers = KINDS[kind].markers;
    if (markersMatch(headers, markers) && markers.length > bestCount) {
      best = kind;
      bestCount = markers.length;
    }
  }
  if (!best) {
    if (headers.has('x-ricevuta')) problems.push(`unknown X-Ricevuta value "${headers.get('x-ricevuta')}"`);
    else if (headers.has('x-trasporto')) problems.push(`unknown X-Trasporto value "${headers.get('x-trasporto')}"`);
  }
  return { kind: best, problems };
}

/** Entries marked by X-Trasporto: what a message transports outranks a stray X-Ricevuta. */
const TRANSPORT_KINDS = MARKED_KINDS.filter((kind) => KINDS[kind].markers.some((m) => m.name === 'X-Trasporto'));

/** Entries whose markers another entry shares: the markers name only their family. */
const SHARED_MARKER_KINDS: ReadonlySet<PecKind> = new Set(PEC_KINDS.filter((kind) => family(kind) !== kind).map(family));

/**
 * The kind a mailbox files a message under (the store's `kind`, the API's and fault rules' `kind`
 * filter), from markers alone. The API and stored data speak this vocabulary, which is PecKind's
 * but for three choices:
 * - the 12 h and 24 h notices share their markers, and a mailbox index reads no daticert: they are
 *   filed together under their X-Ricevuta value, `preavviso-errore-consegna`;
 * - an X-Ricevuta value outside the catalogue is filed as written (lower-cased), so another
 *   provider's receipt stays findable under its own name;
 * - a known X-Trasporto wins over X-Ricevuta, where `kindFromMarkers` only reports the conflict.
 */
export function indexKindFromMarkers(headers: HeaderMap): string | null {
  const transported = TRANSPORT_KINDS.find((kind) => markersMatch(headers, KINDS[kind].markers));
  if (transported) return transported;
  const ricevuta = headers.get('x-ricevuta')?.trim().toLowerCase();
  if (!ricevuta) return null;
  const { kind } = kindFromMarkers(headers);
  return kind && !SHARED_MARKER_KINDS.has(kind) ? kind : ricevuta;
}

/** What the daticert says, as far as classification needs it. */
export interface DaticertClassFacts {
  tipo: string | null;
  errore: string | null;
  ricevuta: string | null;
  erroreEsteso: string | null;
}

export interface Classification {
  kind: PecKind | null;
  flavour?: ReceiptFlavour;
  errore?: DaticertErrore;
  variant: PecVariant | null;
  witnesses: { marker: PecKind | null; subject: PecKind | null; daticertTipo: string | null };
  problems: string[];
}

const FLAVOURS: readonly string[] = ['completa', 'breve', 'sintetica'];
const ERRORI: readonly string[] = ['nessuno', 'no-dest', 'no-dominio', 'virus', 'altro'];

function kindFromTipo(d: DaticertClassFacts): PecKind | null {
  const candidates = MARKED_KINDS.filter((kind) => KINDS[kind].tipo === d.tipo);
  if (candidates.length === 0) return null;
  const virus = d.errore === 'virus';
  return candidates.find((kind) => KINDS[kind].errori.includes('virus') === virus) ?? candidates[0];
}

/**
 * The 24 h notice shares marker and Subject with the 12 h preavviso (§2). It is told apart by a
 * daticert tipo `errore-consegna` (dialect), by a definitive `errore-esteso` (5.x.x, as Aruba and
 * Namirial write) or by the title of its notice.
 */
function isFinalTimeout(d: DaticertClassFacts | null, text: string | null): boolean {
  if (d?.tipo === 'errore-consegna') return true;
  const esteso = d?.erroreEsteso ?? '';
  if (/^\s*5\.\d+\.\d+/.test(esteso)) return true;
  if (/^\s*4\.\d+\.\d+/.test(esteso)) return false;
  const title = (text ?? '').trim().split(/\r?\n/)[0]?.trim().toLowerCase() ?? '';
  return title !== '' && title === KINDS['errore-24h'].title.toLowerCase();
}

/**
 * Decides the kind (markers first, then Subject, then daticert) and reports what does not fit.
 * `text` is the human-readable notice, used only to tell the 24 h notice from the 12 h one.
 */
export function classify(headers: HeaderMap, subject: string | null, daticert: DaticertClassFacts | null, text: string | null = null): Classification {
  const markers = kindFromMarkers(headers);
  const fromSubject = kindFromSubject(subject);
  const fromTipo = daticert ? kindFromTipo(daticert) : null;
  const problems = [...markers.problems];
  let kind = markers.kind ?? fromSubject?.kind ?? fromTipo;

  if (daticert?.tipo && fromTipo === null) problems.push(`daticert tipo "${daticert.tipo}" is not in the catalogue`);
  // a timeout notice written as errore-consegna keeps the timeout Subject: that names it
  if (kind === 'errore-consegna' && fromSubject?.kind === 'preavviso-12h') kind = 'errore-24h';
  if (kind === 'preavviso-12h' && isFinalTimeout(daticert, text)) kind = 'errore-24h';
  // virus variants are named by X-VerificaSicurezza; a daticert errore="virus" without it still is one
  if (kind === 'errore-consegna' && daticert?.errore === 'virus') kind = 'errore-consegna-virus';
  if (kind === 'non-accettazione' && daticert?.errore === 'virus') kind = 'non-accettazione-virus';

  const result: Classification = {
    kind,
    variant: null,
    witnesses: { marker: markers.kind, subject: fromSubject?.kind ?? null, daticertTipo: daticert?.tipo ?? null },
    problems,
  };
  if (daticert?.errore) {
    if (ERRORI.includes(daticert.errore)) result.errore = daticert.errore as DaticertErrore;
    else problems.push(`daticert errore "${daticert.errore}" is not in the enumeration`);
  } else if (daticert) result.errore = 'nessuno'; // the DTD default
  if (kind === 'avvenuta-consegna') {
    const flavour = daticert?.ricevuta ?? 'completa';
    if (FLAVOURS.includes(flavour)) result.flavour = flavour as ReceiptFlavour;
    else problems.push(`daticert ricevuta tipo "${flavour}" is not completa, breve or sintetica`);
    result.variant = `avvenuta-consegna-${result.flavour ?? 'completa'}` as PecVariant;
  } else if (kind === 'errore-consegna') {
    const errore = result.errore;
    result.variant = errore === 'no-dest' || errore === 'no-dominio' ? `errore-consegna-${errore}` : 'errore-consegna-altro';
  } else if (kind) result.variant = kind;
  return result;
}

/** Whether two witnesses name the same catalogue entry (12 h and 24 h notices share theirs). */
export function sameFamily(a: PecKind, b: PecKind): boolean {
  return family(a) === family(b);
}
