// The value formats a scenario author writes by hand: host names, mail addresses, identifiers and
// sizes ("50MB"). Each is a validator that normalises what it accepts (lower case, bytes), so the
// rest of the testbed compares plain strings and numbers.
import { describe, type Validator } from './validate.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS host name of at least two labels (`pec.alfa.test`), compared in lower case. */
export function isHostname(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split('.');
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

export const hostname: Validator<string> = (value, ctx) => {
  if (typeof value !== 'string') return ctx.fail(`expected a domain name such as pec.example.test, got ${describe(value)}`);
  const lower = value.trim().toLowerCase();
  if (!isHostname(lower)) {
    return ctx.fail(`expected a domain name such as pec.example.test (letters, digits, '-' and dots), got ${describe(value)}`);
  }
  return lower;
};

// RFC 5322 dot-atom local part: what PEC providers hand out; quoted local parts are not supported.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export function isMailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  return local.length <= 64 && LOCAL_PART.test(local) && isHostname(value.slice(at + 1));
}

/** A bare mail address (`utente@pec.alfa.test`), lower-cased: the store's login names are. */
export const mailAddress: Validator<string> = (value, ctx) => {
  if (typeof value !== 'string') return ctx.fail(`expected a mail address such as utente@pec.example.test, got ${describe(value)}`);
  const lower = value.trim().toLowerCase();
  if (!isMailAddress(lower)) return ctx.fail(`expected a mail address such as utente@pec.example.test, got ${describe(value)}`);
  return lower;
};

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/**
 * Bytes from `31457280`, `"30MB"`, `"1.5 GB"`, `"512k"`. Units are binary (1 MB = 1024 x 1024
 * bytes): the rules' "30 MB" limit is what providers configure as 31457280. Undefined if unparsable.
 */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = UNITS[match[2].toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export const size: Validator<number> = (value, ctx) => {
  const bytes = typeof value === 'number' || typeof value === 'string' ? parseSize(value) : undefined;
  if (bytes === undefined) {
    return ctx.fail(`expected a size in bytes or with a unit (KB, MB, GB), such as 52428800 or "50MB", got ${describe(value)}`);
  }
  return bytes;
};

/** `alfa`, `gestore-2`: used in file names, URLs and log lines. */
export const identifier: Validator<string> = (value, ctx) => {
  if (typeof value !== 'string' || !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(value)) {
    return ctx.fail(`expected an id of lowercase letters, digits and '-' (such as "alfa"), got ${describe(value)}`);
  }
  return value;
};
