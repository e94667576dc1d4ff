// A small, strict LDIF content reader (RFC 2849) for the tests: written independently of the
// writer so that a round trip checks the writer's folding and base64 choices, not itself.

export interface ParsedEntry {
  dn: string;
  /** attribute name -> values in order; base64 values decoded to bytes */
  attrs: Map<string, Buffer[]>;
}

export interface ParsedLdif {
  version: number;
  entries: ParsedEntry[];
}

export function readLdif(text: string): ParsedLdif {
  const physical = text.split(/\r?\n/);
  // Unfold: a line starting with one space continues the previous line (comments included).
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ') && logical.length > 0 && logical[logical.length - 1] !== '') {
      logical[logical.length - 1] += line.slice(1);
    } else {
      logical.push(line);
    }
  }
  const records: string[][] = [[]];
  for (const line of logical) {
    if (line.startsWith('#')) continue;
    if (line === '') {
      if (records[records.length - 1].length > 0) records.push([]);
      continue;
    }
    records[records.length - 1].push(line);
  }
  if (records[records.length - 1].length === 0) records.pop();

  const first = records[0] ?? [];
  const versionLine = /^version: (\d+)$/.exec(first[0] ?? '');
  if (!versionLine) throw new Error(`LDIF must start with version-spec, got ${JSON.stringify(first[0])}`);
  first.shift();
  if (first.length === 0) records.shift();

  return {
    version: Number(versionLine[1]),
    entries: records.map((lines) => {
      const [dnName, dnValue] = parseLine(lines[0]);
      if (dnName !== 'dn') throw new Error(`record must start with dn:, got ${lines[0]}`);
      const attrs = new Map<string, Buffer[]>();
      for (const line of lines.slice(1)) {
        const [name, value] = parseLine(line);
        attrs.set(name, [...(attrs.get(name) ?? []), value]);
      }
      return { dn: dnValue.toString('utf8'), attrs };
    }),
  };
}

function parseLine(line: string): [string, Buffer] {
  const match = /^([A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9-]+)*)(::?)(?: *)(.*)$/.exec(line);
  if (!match) throw new Error(`not an attrval-spec: ${line}`);
  const [, name, separator, value] = match;
  if (separator === '::') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new Error(`bad base64 in ${name}`);
    return [name, Buffer.from(value, 'base64')];
  }
  // SAFE-STRING: 7-bit, no NUL/CR/LF, not starting with space, ':' or '<'
  if (/[^\x01-\x09\x0b\x0c\x0e-\x7f]/.test(value) || /^[:<]/.test(value)) throw new Error(`unsafe value for ${name}: ${value}`);
  return [name, Buffer.from(value, 'utf8')];
}

export const text = (entry: ParsedEntry, name: string): string[] => (entry.attrs.get(name) ?? []).map((b) => b.toString('utf8'));
