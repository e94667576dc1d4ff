// Does an event at a point match a rule's criteria? Only the static criteria live here (who,
// what, which kind); the counting ones (nth, probability, times, window) need the registry's state.
import type { FaultSubject } from '../gestore/faults.js';
import type { FaultMatch } from './types.js';

const globs = new Map<string, RegExp>();
const regexes = new Map<string, RegExp>();

/** `*@pec.beta.test`, `mario.*@*`: `*` is any run of characters; case-insensitive */
export function globMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    globs.set(pattern, re);
  }
  return re.test(value);
}

function regexMatches(source: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  let re = regexes.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    regexes.set(source, re);
  }
  return re.test(value);
}

export function matches(match: FaultMatch, subject: FaultSubject): boolean {
  if (match.gestore !== undefined && match.gestore !== subject.gestore) return false;
  if (match.sender !== undefined && !globMatches(match.sender, subject.sender)) return false;
  if (match.recipient !== undefined && !globMatches(match.recipient, subject.recipient)) return false;
  if (match.user !== undefined && !globMatches(match.user, subject.user)) return false;
  if (match.service !== undefined && match.service !== subject.service) return false;
  if (match.kind !== undefined && (subject.kind === undefined || !match.kind.includes(subject.kind))) return false;
  if (match.subject !== undefined && !regexMatches(match.subject, subject.subject)) return false;
  if (match.header !== undefined) {
    const value = subject.headers?.(match.header.name);
    if (value === undefined) return false;
    if (match.header.value !== undefined && !regexMatches(match.header.value, value.trim())) return false;
  }
  return true;
}
