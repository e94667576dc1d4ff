// The consistency half of verifying a PEC message: do the three witnesses of its kind agree
// (marker header, Subject prefix, daticert tipo/errore — pec-rules §2), does daticert.xml follow
// its DTD (§5), do the correlation ids line up (identificativo, msgid, X-Riferimento-Message-ID),
// and does the message carry the parts its kind requires (§3). Only the outer headers are
// unsigned, so these checks are what catches a Subject or a marker changed in transit.

import { DATICERT_DTD } from './daticert.js';
import { KINDS } from './kinds.js';
import { parseAddressList } from './mime-headers.js';
import { sameFamily, tipiOfKind } from './parse-kind.js';
import type { ParsedPec } from './parse.js';
import type { PecKind } from './types.js';
import { daticertInstant, validateAgainstDtd } from './verify-daticert.js';
import type { SignatureReport } from './verify-signature.js';
import type { PecCheck } from './verify-types.js';

const norm = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
const bareId = (id: string | null | undefined) => (id ?? '').trim().replace(/^<(.*)>$/, '$1').trim();

export function checkConsistency(parsed: ParsedPec, signature: SignatureReport, checks: PecCheck[]): void {
  const kind = parsed.kind;
  if (!kind) {
    const what = parsed.signed ? 'signed, but' : 'not signed and';
    checks.push({
      name: 'pec.kind',
      ok: false,
      detail: `not a PEC message: ${what} no X-Ricevuta / X-Trasporto marker, no PEC Subject prefix, no daticert tipo`,
    });
    return;
  }
  checks.push({ name: 'pec.kind', ok: true, detail: parsed.variant ?? kind });
  checkWitnesses(parsed, kind, checks);
  checkDaticert(parsed, kind, signature, checks);
  checkIds(parsed, kind, checks);
  checkParts(parsed, kind, checks);
  if (kind === 'posta-certificata' || kind === 'anomalia') checkBusta(parsed, kind, checks);
  if (!parsed.headers.has('date')) checks.push({ name: 'headers.date', ok: false, warning: true, detail: 'no Date header' });
}

function checkWitnesses(parsed: ParsedPec, kind: PecKind, checks: PecCheck[]): void {
  const { marker, subject } = parsed.witnesses;
  const markerAgrees = marker !== null && (sameFamily(marker, kind) || (marker === 'errore-consegna' && kind === 'errore-24h'));
  const markers = KINDS[kind].markers.map((m) => `${m.name}: ${m.value}`).join(', ');
  checks.push({
    name: 'kind.marker',
    ok: markerAgrees,
    detail: marker === null
      ? `no marker header (expected ${markers}); kind read from ${subject ? 'the Subject' : 'daticert'}`
      : markerAgrees
        ? `marker says ${marker}`
        : `marker says ${marker}, but Subject / daticert say ${kind} (expected ${markers})`,
  });
  const prefix = KINDS[kind].subjectPrefix;
  const subjectAgrees = subject !== null && sameFamily(subject, kind);
  checks.push({
    name: 'kind.subject',
    ok: subjectAgrees,
    detail: subjectAgrees ? `Subject starts with "${prefix}"` : `Subject ${JSON.stringify(parsed.subject ?? '')} does not start with "${prefix}"${subject ? ` (its prefix names ${subject})` : ''}`,
  });
  if (subjectAgrees && parsed.subject !== null && !parsed.subject.trimStart().startsWith(prefix)) {
    checks.push({ name: 'kind.subject-case', ok: false, warning: true, detail: `Subject prefix not in the exact case "${prefix}"` });
  }
}

function checkDaticert(parsed: ParsedPec, kind: PecKind, signature: SignatureReport, checks: PecCheck[]): void {
  const spec = KINDS[kind];
  const d = parsed.daticert;
  if (spec.tipo === null) {
    if (parsed.daticertXml) checks.push({ name: 'daticert.present', ok: false, warning: true, detail: `${kind} carries no daticert.xml by the rules, this one has one` });
    return;
  }
  if (!parsed.daticertXml) {
    checks.push({ name: 'daticert.present', ok: false, detail: `${kind} must carry daticert.xml` });
    return;
  }
  checks.push({ name: 'daticert.present', ok: true });
  const dtd = validateAgainstDtd(parsed.daticertXml, DATICERT_DTD);
  checks.push({ name: 'daticert.dtd', ok: dtd.valid, detail: dtd.valid ? 'valid against the daticert DTD' : dtd.errors.join('; ') });
  if (!d) return;

  const tipi = tipiOfKind(kind);
  checks.push({
    name: 'kind.daticert',
    ok: tipi.includes(d.tipo) && spec.errori.includes(d.errore),
    detail: `daticert tipo="${d.tipo}" errore="${d.errore}"; ${kind} expects tipo ${tipi.join(' or ')} and errore ${spec.errori.join(' | ')}`,
  });

  // Subject = prefix + oggetto: the Subject is outside the signature, the daticert inside it
  const rest = parsed.subject?.trimStart().slice(spec.subjectPrefix.length) ?? '';
  if (parsed.witnesses.subject !== null) {
    checks.push({
      name: 'daticert.oggetto-vs-subject',
      ok: norm(rest) === norm(d.oggetto),
      detail: norm(rest) === norm(d.oggetto) ? 'Subject = prefix + daticert oggetto' : `Subject after the prefix is ${JSON.stringify(norm(rest))}, daticert oggetto is ${JSON.stringify(d.oggetto)}`,
    });
  }

  const elements: string[] = [];
  const flags = spec.daticert;
  if (flags.ricevuta && d.ricevuta === null) elements.push('missing <ricevuta>');
  if (flags.consegna && d.consegna === null) elements.push('missing <consegna>');
  if (flags.ricezione && d.ricezione.length === 0) elements.push('missing <ricezione>');
  if (!flags.ricevuta && d.ricevuta !== null) elements.push('unexpected <ricevuta>');
  if (!flags.consegna && d.consegna !== null) elements.push('unexpected <consegna>');
  if (!flags.ricezione && d.ricezione.length > 0) elements.push('unexpected <ricezione>');
  checks.push({ name: 'daticert.elements', ok: elements.length === 0, warning: elements.length > 0 || undefined, detail: elements.join('; ') || `elements as expected for ${kind}` });

  const instant = daticertInstant(d.data);
  if (!instant) {
    checks.push({ name: 'daticert.data', ok: false, warning: true, detail: `data not as DD/MM/YYYY HH:MM:SS ±HHMM: ${JSON.stringify(d.data)}` });
  } else if (signature.signingTime) {
    const drift = Math.abs(Date.parse(instant) - Date.parse(signature.signingTime));
    const ok = drift <= 60 * 60 * 1000;
    checks.push({ name: 'daticert.data', ok, warning: !ok || undefined, detail: `event ${instant}, signed ${signature.signingTime}` });
  }

  if (signature.signer) {
    const org = /(?:^|,\s*)O=([^,]+)/.exec(signature.signer.subject)?.[1]?.trim();
    const ok = !org || norm(org) === norm(d.gestoreEmittente);
    checks.push({
      name: 'daticert.gestore-emittente',
      ok,
      warning: !ok || undefined,
      detail: ok ? `gestore-emittente ${d.gestoreEmittente}` : `gestore-emittente "${d.gestoreEmittente}" is not the signer's organisation "${org}"`,
    });
  }
}

function checkIds(parsed: ParsedPec, kind: PecKind, checks: PecCheck[]): void {
  const d = parsed.daticert;
  if (!d) return;
  if (kind === 'posta-certificata') {
    const ok = bareId(parsed.ids.messageId) === bareId(d.identificativo);
    checks.push({
      name: 'ids.identificativo-vs-message-id',
      ok,
      detail: ok ? 'Message-ID = <identificativo>' : `busta Message-ID ${parsed.ids.messageId ?? '(none)'} is not <${d.identificativo}>`,
    });
  }
  const rif = parsed.ids.riferimentoMessageId;
  if (d.msgid === null) {
    checks.push({ name: 'ids.msgid-vs-riferimento', ok: true, warning: true, detail: 'daticert has no <msgid> (tolerated: real providers omit it)' });
  } else if (rif === null) {
    checks.push({ name: 'ids.msgid-vs-riferimento', ok: false, warning: true, detail: `no X-Riferimento-Message-ID header; daticert msgid is ${d.msgid}` });
  } else {
    const ok = bareId(rif) === bareId(d.msgid);
    checks.push({ name: 'ids.msgid-vs-riferimento', ok, detail: ok ? `msgid = X-Riferimento-Message-ID = ${d.msgid}` : `daticert msgid ${d.msgid} differs from X-Riferimento-Message-ID ${rif}` });
  }
  const original = parsed.postacert?.parsed;
  if (original && kind !== 'anomalia') {
    const ok = bareId(original.ids.messageId) === bareId(d.identificativo);
    checks.push({
      name: 'postacert.message-id',
      ok,
      warning: !ok || undefined,
      detail: ok ? 'postacert.eml Message-ID = <identificativo>' : `postacert.eml Message-ID ${original.ids.messageId ?? '(none)'} is not <${d.identificativo}> (providers rewrite it at acceptance)`,
    });
  }
}

function checkParts(parsed: ParsedPec, kind: PecKind, checks: PecCheck[]): void {
  const has = parsed.postacert !== null;
  switch (KINDS[kind].original) {
    case 'always':
      checks.push({ name: 'postacert.present', ok: has, detail: has ? 'original attached as postacert.eml' : `${kind} must carry the original as postacert.eml` });
      break;
    case 'never':
      if (has) checks.push({ name: 'postacert.present', ok: false, warning: true, detail: `${kind} carries no original by the rules, this one has postacert.eml` });
      break;
    case 'by-flavour': {
      const wanted = parsed.flavour !== 'sintetica';
      if (has !== wanted) {
        checks.push({
          name: 'postacert.present',
          ok: false,
          warning: true,
          detail: wanted ? `a ${parsed.flavour} receipt carries postacert.eml, except for Cc recipients` : 'a sintetica receipt carries no original, this one has postacert.eml',
        });
      } else checks.push({ name: 'postacert.present', ok: true, detail: has ? 'original attached' : 'no original (sintetica)' });
      break;
    }
  }
}

/** A busta speaks for the original sender: `From: "Per conto di: <mittente>" <posta-certificata@...>`. */
function checkBusta(parsed: ParsedPec, kind: PecKind, checks: PecCheck[]): void {
  const original = parsed.postacert?.parsed;
  const mittente = parsed.daticert?.mittente ?? original?.from?.address ?? null;
  const display = parsed.from?.name ?? '';
  const perConto = /^per conto di:\s*(.*)$/i.exec(display.trim());
  if (!perConto) {
    checks.push({ name: 'busta.per-conto-di', ok: false, warning: true, detail: `From display name ${JSON.stringify(display)} is not "Per conto di: <sender>"` });
  } else if (mittente) {
    const named = parseAddressList(perConto[1])[0]?.address ?? perConto[1].trim();
    const ok = named.toLowerCase() === mittente.toLowerCase();
    checks.push({ name: 'busta.per-conto-di', ok, detail: ok ? `on behalf of ${mittente}` : `From says "Per conto di: ${named}", the sender is ${mittente}` });
  }
  const d = parsed.daticert;
  if (kind === 'posta-certificata' && d) {
    const headerSet = [...parsed.to, ...parsed.cc].map((m) => m.address.toLowerCase()).sort();
    const datiSet = d.destinatari.map((x) => x.address.toLowerCase()).sort();
    const ok = headerSet.join(',') === datiSet.join(',');
    checks.push({
      name: 'busta.destinatari',
      ok,
      detail: ok ? 'To + Cc = daticert destinatari' : `To + Cc (${headerSet.join(', ')}) differ from daticert destinatari (${datiSet.join(', ')})`,
    });
  }
  if (kind === 'anomalia' && original) {
    const rest = parsed.subject?.trimStart().slice(KINDS.anomalia.subjectPrefix.length) ?? '';
    const ok = norm(rest) === norm(original.subject);
    checks.push({ name: 'anomalia.subject', ok, detail: ok ? 'Subject = prefix + original Subject' : `Subject after the prefix is ${JSON.stringify(norm(rest))}, the original's is ${JSON.stringify(original.subject)}` });
  }
}
