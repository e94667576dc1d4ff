// Turns the client's byte stream into command lines. Owns framing only: where a line ends and
// when a line is too long. Accepts bare LF as well as CRLF because some hand-typed clients
// (telnet, nc) send it.

export type ReadItem = { kind: 'line'; line: string } | { kind: 'overflow' };

export class LineReader {
  private pending: Buffer = Buffer.alloc(0);
  private overflowed = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds bytes; returns the complete lines, then an overflow marker if a line got too long. */
  push(chunk: Buffer): ReadItem[] {
    if (this.overflowed) return [];
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const items: ReadItem[] = [];
    let start = 0;
    for (;;) {
      const lf = data.indexOf(0x0a, start);
      if (lf < 0) break;
      let end = lf;
      if (end > start && data[end - 1] === 0x0d) end--;
      if (end - start > this.maxLineBytes) return this.overflow(items);
      items.push({ kind: 'line', line: data.toString('utf8', start, end) });
      start = lf + 1;
    }
    // +1 leaves room for a CR whose LF has not arrived yet
    if (data.length - start > this.maxLineBytes + 1) return this.overflow(items);
    this.pending = Buffer.from(data.subarray(start));
    return items;
  }

  /** Forgets buffered bytes: after STLS, nothing sent in clear may be read as a command. */
  clear(): void {
    this.pending = Buffer.alloc(0);
  }

  private overflow(items: ReadItem[]): ReadItem[] {
    this.overflowed = true;
    this.pending = Buffer.alloc(0);
    items.push({ kind: 'overflow' });
    return items;
  }
}
