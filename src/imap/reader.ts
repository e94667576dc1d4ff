// Pull-style reading of a client byte stream: lines, exact byte counts and skips, with
// backpressure (the socket is paused while a command is being served and input piles up). The
// stream can be swapped for STARTTLS, dropping anything the client sent before the handshake.

import type { Duplex } from 'node:stream';

const HIGH_WATER = 4 * 1024 * 1024;

export class InputReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private wake: (() => void) | null = null;
  private stream: Duplex | null = null;
  private paused = false;

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > HIGH_WATER && !this.wake && this.stream) {
      this.stream.pause();
      this.paused = true;
    }
    this.notify();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };

  attach(stream: Duplex): void {
    this.stream = stream;
    this.ended = false;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onEnd);
  }

  /** stops reading the current stream and forgets unread input (STARTTLS injection defence) */
  detach(): void {
    const stream = this.stream;
    if (stream) {
      stream.off('data', this.onData);
      stream.off('end', this.onEnd);
      stream.off('close', this.onEnd);
      stream.off('error', this.onEnd);
    }
    this.stream = null;
    this.chunks = [];
    this.buffered = 0;
  }

  /** marks the input finished (session closing): pending reads resolve with null */
  end(): void {
    this.onEnd();
  }

  get hasBufferedInput(): boolean {
    return this.buffered > 0;
  }

  /** one line without its CRLF/LF; null at end of input; 'too-long' past `max` bytes */
  async readLine(max: number): Promise<Buffer | null | 'too-long'> {
    for (;;) {
      let offset = 0;
      for (const chunk of this.chunks) {
        const lf = chunk.indexOf(0x0a);
        if (lf !== -1) {
          if (offset + lf > max) return 'too-long';
          const line = this.take(offset + lf + 1);
          const cut = line.length >= 2 && line[line.length - 2] === 0x0d ? 2 : 1;
          return line.subarray(0, line.length - cut);
        }
        offset += chunk.length;
        if (offset > max) return 'too-long';
      }
      if (this.ended) return null;
      await this.waitForData();
    }
  }

  /** exactly n bytes, or null when the input ends first */
  async readBytes(n: number): Promise<Buffer | null> {
    while (this.buffered < n) {
      if (this.ended) return null;
      await this.waitForData();
    }
    return this.take(n);
  }

  /** consumes n bytes without keeping them; false when the input ends first */
  async skipBytes(n: number): Promise<boolean> {
    let left = n;
    for (;;) {
      const now = Math.min(left, this.buffered);
      if (now > 0) this.take(now);
      left -= now;
      if (left === 0) return true;
      if (this.ended) return false;
      await this.waitForData();
    }
  }

  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const head = this.chunks[0];
      if (head.length <= left) {
        parts.push(head);
        this.chunks.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.buffered -= n;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }

  private waitForData(): Promise<void> {
    if (this.paused && this.stream) {
      this.paused = false;
      this.stream.resume();
    }
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
