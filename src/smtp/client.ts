// The SMTP client every gestore uses to hand messages to the next hop (another gestore's punto
// di ricezione, an ordinary-mail MX). Provider-to-provider traffic always crosses a real socket.
import nodemailer from 'nodemailer';

export interface RelayTarget {
  host: string;
  port: number;
}

export interface RelayRequest {
  target: RelayTarget;
  from: string;
  to: string[];
  raw: Buffer;
}

export interface RelayOutcome {
  accepted: string[];
  /** recipients refused with a permanent (5xx) reply, with that reply */
  rejected: Array<{ address: string; code: number; response: string }>;
}

/** a failure that should be retried later (connection refused, 4xx, timeout) */
export class TransientRelayError extends Error {}

/** the whole message was refused for good (5xx at MAIL or DATA) */
export class PermanentRelayError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export interface RelayClient {
  send(request: RelayRequest): Promise<RelayOutcome>;
  close(): void;
}

interface NodemailerErrorLike {
  code?: string;
  responseCode?: number;
  response?: string;
  message: string;
  rejectedErrors?: Array<{ recipient?: string; responseCode?: number; response?: string }>;
}

export function createRelayClient(options: { name: string; caPem: string }): RelayClient {
  const transports = new Map<string, ReturnType<typeof nodemailer.createTransport>>();
  const transportFor = (target: RelayTarget) => {
    const key = `${target.host}:${target.port}`;
    let transport = transports.get(key);
    if (!transport) {
      transport = nodemailer.createTransport({
        host: target.host,
        port: target.port,
        secure: false,
        name: options.name,
        pool: true,
        maxConnections: 4,
        maxMessages: Infinity,
        // Opportunistic STARTTLS with the testbed's CA; a plain peer (e.g. an external
        // implementation under test without TLS) still works.
        tls: { ca: options.caPem },
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 60_000,
      });
      transports.set(key, transport);
    }
    return transport;
  };

  return {
    async send(request) {
      try {
        const info = await transportFor(request.target).sendMail({
          envelope: { from: request.from, to: request.to },
          raw: request.raw,
        });
        const rejectedErrors = ((info as { rejectedErrors?: NodemailerErrorLike['rejectedErrors'] }).rejectedErrors ?? []);
        const rejected: RelayOutcome['rejected'] = [];
        for (const address of (info.rejected as string[]) ?? []) {
          const detail = rejectedErrors.find((e) => e.recipient === address);
          const code = detail?.responseCode ?? 550;
          if (code < 500) throw new TransientRelayError(`${address}: ${detail?.response ?? code}`);
          rejected.push({ address: String(address).toLowerCase(), code, response: detail?.response ?? String(code) });
        }
        return { accepted: (info.accepted as string[]).map((a) => String(a).toLowerCase()), rejected };
      } catch (error) {
        if (error instanceof TransientRelayError) throw error;
        const e = error as NodemailerErrorLike;
        if (e.code === 'EENVELOPE' && e.rejectedErrors?.length && e.rejectedErrors.every((r) => (r.responseCode ?? 0) >= 500)) {
          // Every recipient refused for good: report them one by one.
          return {
            accepted: [],
            rejected: e.rejectedErrors.map((r) => ({ address: String(r.recipient ?? '').toLowerCase(), code: r.responseCode ?? 550, response: r.response ?? '' })),
          };
        }
        if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
          throw new PermanentRelayError(e.responseCode, e.response ?? e.message);
        }
        throw new TransientRelayError(e.response ?? e.message);
      }
    },
    close() {
      for (const transport of transports.values()) transport.close();
      transports.clear();
    },
  };
}
