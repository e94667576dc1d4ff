// RFC 5322 address lists as IMAP ENVELOPE wants them: display name, local part and domain as
// written (encoded-words left for the client), groups kept as start/end markers. Tolerant: a
// malformed address becomes a best-effort mailbox rather than an error.

export type EnvelopeAddress =
  | { kind: 'mailbox'; name: string | null; mailbox: string; host: string | null }
  | { kind: 'group-start'; name: string }
  | { kind: 'group-end' };

interface Token {
  type: 'word' | 'quoted' | 'special' | 'comment';
  value: string;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      i++;
      tokens.push({ type: 'quoted', value });
    } else if (c === '(') {
      let depth = 1;
      let value = '';
      i++;
      while (i < text.length && depth > 0) {
        if (text[i] === '\\') value += text[++i] ?? '';
        else if (text[i] === '(') depth++;
        else if (text[i] === ')') depth--;
        if (depth > 0) value += text[i];
        i++;
      }
      tokens.push({ type: 'comment', value });
    } else if ('<>,:;@[]'.includes(c)) {
      tokens.push({ type: 'special', value: c });
      i++;
    } else {
      let value = '';
      while (i < text.length && !' \t\r\n"(<>,:;@[]'.includes(text[i])) value += text[i++];
      tokens.push({ type: 'word', value });
    }
  }
  return tokens;
}

export function parseAddressList(text: string): EnvelopeAddress[] {
  const tokens = tokenize(text);
  const out: EnvelopeAddress[] = [];
  let i = 0;
  let inGroup = false;

  const readMailbox = (stop: string[]): void => {
    // collects one mailbox up to a top-level stop special (',' or ';')
    const start = i;
    let angle = -1;
    let angleEnd = -1;
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.type === 'special' && stop.includes(t.value)) break;
      if (t.type === 'special' && t.value === '<' && angle === -1) angle = i;
      if (t.type === 'special' && t.value === '>' && angle !== -1 && angleEnd === -1) angleEnd = i;
      i++;
    }
    const slice = tokens.slice(start, i);
    if (slice.length === 0) return;
    let nameTokens: Token[];
    let addrTokens: Token[];
    if (angle !== -1) {
      nameTokens = tokens.slice(start, angle);
      addrTokens = tokens.slice(angle + 1, angleEnd === -1 ? i : angleEnd);
    } else {
      nameTokens = [];
      addrTokens = slice;
    }
    const phrase = nameTokens.filter((t) => t.type === 'word' || t.type === 'quoted' || (t.type === 'special' && t.value === '.'));
    let name: string | null = phrase.map((t) => t.value).join(' ') || null;
    const comments = addrTokens.filter((t) => t.type === 'comment');
    addrTokens = addrTokens.filter((t) => t.type !== 'comment');
    if (!name && angle === -1 && comments.length) name = comments.map((t) => t.value).join(' ') || null;
    // drop a source route (@a,@b:) inside angle brackets
    const colon = addrTokens.findIndex((t) => t.type === 'special' && t.value === ':');
    if (colon !== -1) addrTokens = addrTokens.slice(colon + 1);
    const at = addrTokens.map((t) => t.type === 'special' && t.value === '@').lastIndexOf(true);
    const join = (ts: Token[]): string => ts.map((t) => (t.type === 'quoted' ? quoteLocal(t.value) : t.value)).join('');
    if (at === -1) {
      const mailbox = join(addrTokens);
      if (!mailbox && !name) return;
      out.push({ kind: 'mailbox', name, mailbox, host: null });
    } else {
      out.push({ kind: 'mailbox', name, mailbox: join(addrTokens.slice(0, at)), host: join(addrTokens.slice(at + 1)) });
    }
  };

  while (i < tokens.length) {
    const t = tokens[i];
    if (t.type === 'special' && t.value === ',') {
      i++;
      continue;
    }
    if (t.type === 'special' && t.value === ';' && inGroup) {
      out.push({ kind: 'group-end' });
      inGroup = false;
      i++;
      continue;
    }
    // a group starts with `phrase :` before any '<' or '@'
    const colonAt = findGroupColon(tokens, i);
    if (!inGroup && colonAt !== -1) {
      const name = tokens.slice(i, colonAt).filter((x) => x.type === 'word' || x.type === 'quoted').map((x) => x.value).join(' ');
      out.push({ kind: 'group-start', name });
      inGroup = true;
      i = colonAt + 1;
      continue;
    }
    readMailbox(inGroup ? [',', ';'] : [',']);
  }
  if (inGroup) out.push({ kind: 'group-end' });
  return out;
}

function findGroupColon(tokens: Token[], from: number): number {
  for (let j = from; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.type !== 'special') continue;
    if (t.value === ':') return j;
    if (t.value === ',' || t.value === '<' || t.value === '@' || t.value === ';') return -1;
  }
  return -1;
}

function quoteLocal(value: string): string {
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}
