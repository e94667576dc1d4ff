// What a punto di ricezione reads of a parsed message (ricezione.ts, facts.ts): the PEC thread
// answers an inspection with this, not the whole parse. A parse of a busta or a receipt holds the
// message twice more (the signed part and its signature) and the original's full parse; cloned
// across the thread boundary, that was ~40 KB and ~35 µs of deserialising on the event loop per
// message, for fields nothing reads.
import { HeaderMap } from '../pec/mime-headers.js';
import type { ParsedPec } from '../pec/parse.js';
import { asBuffer } from '../threads/bytes.js';

export type InspectedPec = Pick<ParsedPec, 'kind' | 'variant' | 'subject' | 'from' | 'to' | 'cc' | 'ids' | 'tipoRicevuta' | 'daticert'> & {
  /** the original message of a busta or a completa receipt: its exact bytes and its header fields */
  postacert: { raw: Buffer; parsed: Pick<ParsedPec, 'headers' | 'from' | 'to'> } | null;
};

/** the fields of `parsed` an inspection answers with (a ParsedPec is itself an InspectedPec) */
export function inspectionOf(parsed: ParsedPec): InspectedPec {
  const { kind, variant, subject, from, to, cc, ids, tipoRicevuta, daticert, postacert } = parsed;
  return {
    kind, variant, subject, from, to, cc, ids, tipoRicevuta, daticert,
    postacert: postacert && { raw: postacert.raw, parsed: { headers: postacert.parsed.headers, from: postacert.parsed.from, to: postacert.parsed.to } },
  };
}

/** Structured clone keeps data and drops classes: the HeaderMap arrives as its fields, a Buffer as a Uint8Array. */
export function reviveInspection(cloned: InspectedPec): InspectedPec {
  const postacert = cloned.postacert;
  return {
    ...cloned,
    postacert: postacert && { raw: asBuffer(postacert.raw), parsed: { ...postacert.parsed, headers: new HeaderMap(postacert.parsed.headers.fields) } },
  };
}
