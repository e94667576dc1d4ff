// Message flags at the protocol boundary: system flags are case-insensitive and spelled the RFC
// way on output; \Recent is session state, never stored; keywords must be atoms.

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];
const BY_LOWER = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** canonical spelling, or null when the flag cannot be stored (\Recent, unknown \System, junk) */
export function normaliseFlag(flag: string): string | null {
  if (flag.startsWith('\\')) return BY_LOWER.get(flag.toLowerCase()) ?? null;
  if (!/^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~[\]]+$/.test(flag)) return null;
  return flag;
}

export function hasFlag(flags: readonly string[], flag: string): boolean {
  // `flag` comes canonical (normaliseFlag) and so do stored flags: the exact test decides
  // system flags; keywords are compared ignoring case
  if (flags.includes(flag)) return true;
  if (flag.startsWith('\\')) return false;
  const lower = flag.toLowerCase();
  for (const f of flags) if (f.toLowerCase() === lower) return true;
  return false;
}
