// Which matchers and actions each point of the flow takes, and how a rule's action becomes the
// engine's FaultEffect there. One table, so the validator, the registry and the docs agree.
import { parseDuration } from '../clock/clock.js';
import type { FaultEffect, FaultPoint } from '../gestore/faults.js';
import type { FaultAction, FaultAt, FaultMatch } from './types.js';

export interface PointSpec {
  /** the engine's name of the point */
  point: FaultPoint;
  description: string;
  /** matchers besides nth and probability, which every point takes */
  matchers: ReadonlyArray<keyof FaultMatch>;
  actions: ReadonlyArray<keyof FaultAction>;
  /** values `error` may take here */
  errors?: ReadonlyArray<NonNullable<FaultAction['error']>>;
  /** protocol points wait in real time; flow points in virtual time */
  realTime: boolean;
}

const FLOW_MATCH = ['gestore', 'sender', 'recipient', 'subject'] as const;
const SMTP: Omit<PointSpec, 'point' | 'description'> = {
  matchers: ['gestore', 'service', 'sender', 'recipient', 'user'],
  actions: ['reply', 'drop', 'delay'],
  realTime: true,
};

export const POINTS: Readonly<Record<FaultAt, PointSpec>> = {
  accesso: {
    point: 'accesso.accept',
    description: 'punto di accesso, once the submission is received',
    matchers: [...FLOW_MATCH, 'header'],
    actions: ['delay'],
    realTime: false,
  },
  relay: {
    point: 'relay.send',
    description: 'a gestore hands a busta or a receipt to the next hop',
    matchers: [...FLOW_MATCH, 'kind'],
    actions: ['drop', 'delay', 'fail', 'corruptSignature'],
    realTime: false,
  },
  ricezione: {
    point: 'ricezione.receive',
    description: 'punto di ricezione, a verified busta, per recipient',
    matchers: [...FLOW_MATCH, 'header'],
    actions: ['drop', 'delay', 'error'],
    errors: ['virus'],
    realTime: false,
  },
  consegna: {
    point: 'consegna.deliver',
    description: 'punto di consegna, storing into one mailbox',
    matchers: FLOW_MATCH,
    actions: ['drop', 'delay', 'error', 'erroreEsteso', 'duplicate', 'mailbox'],
    errors: ['no-dest', 'altro'],
    realTime: false,
  },
  ricevuta: {
    point: 'receipt.emit',
    description: 'any receipt or notice being built (provider quirks)',
    matchers: [...FLOW_MATCH, 'kind'],
    actions: ['omitMsgid', 'tipo', 'erroreEsteso', 'erroreEstesoPrefix'],
    realTime: false,
  },
  'smtp.connect': { point: 'smtp.connect', description: 'an SMTP client connects (MX or submission)', ...SMTP },
  'smtp.mail': { point: 'smtp.mail', description: 'SMTP MAIL FROM', ...SMTP },
  'smtp.rcpt': { point: 'smtp.rcpt', description: 'SMTP RCPT TO', ...SMTP },
  'smtp.data': { point: 'smtp.data', description: 'end of SMTP DATA, before the message is committed', ...SMTP },
  'imap.login': {
    point: 'imap.login', description: 'IMAP login accepted', matchers: ['user'], actions: ['refuse', 'drop', 'delay', 'resetUidValidity'], realTime: true,
  },
  'imap.fetch': { point: 'imap.fetch', description: 'IMAP FETCH', matchers: ['user'], actions: ['refuse', 'drop', 'delay'], realTime: true },
  'pop3.login': { point: 'pop3.login', description: 'POP3 login accepted', matchers: ['user'], actions: ['refuse', 'drop', 'delay'], realTime: true },
  'pop3.retr': { point: 'pop3.retr', description: 'POP3 RETR', matchers: ['user'], actions: ['refuse', 'drop', 'delay'], realTime: true },
};

export const FAULT_ATS = Object.keys(POINTS) as FaultAt[];

/** the rule's action as the engine's effect at that point */
export function effectOf(at: FaultAt, action: FaultAction): FaultEffect {
  const spec = POINTS[at];
  const effect: FaultEffect = {};
  if (action.drop) effect.drop = true;
  if (action.delay !== undefined) {
    const ms = parseDuration(action.delay);
    if (spec.realTime) effect.realDelayMs = ms;
    else effect.delayMs = ms;
  }
  if (action.fail !== undefined) effect.relayTransientError = action.fail;
  if (action.corruptSignature) effect.corruptSignature = true;
  if (action.error !== undefined) effect.deliveryError = action.error;
  if (action.erroreEsteso !== undefined) effect.erroreEsteso = action.erroreEsteso;
  if (action.erroreEstesoPrefix !== undefined) effect.erroreEstesoPrefix = action.erroreEstesoPrefix;
  if (action.duplicate) effect.duplicate = true;
  if (action.mailbox !== undefined) effect.mailbox = action.mailbox;
  if (action.omitMsgid) effect.omitMsgid = true;
  if (action.tipo !== undefined) effect.tipoOverride = action.tipo;
  if (action.reply !== undefined) effect.reply = { ...action.reply };
  if (action.refuse !== undefined) effect.refuse = action.refuse;
  if (action.resetUidValidity) effect.resetUidValidity = true;
  return effect;
}

const BY_POINT = new Map<FaultPoint, FaultAt>(FAULT_ATS.map((at) => [POINTS[at].point, at]));

export function atOfPoint(point: FaultPoint): FaultAt {
  return BY_POINT.get(point)!;
}
