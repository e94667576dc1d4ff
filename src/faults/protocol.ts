// The protocol servers' own fault seams (the SMTP listener's phase hook, the IMAP and POP3 hooks)
// wired to the fault points: each server keeps its small hook type, and the rules stay in one
// registry. Delays here are real time: the sockets are real.
import type { FaultEffect, FaultPoint, FaultPoints, FaultSubject } from '../gestore/faults.js';
import type { ImapFetchHookResult, ImapHookResult, ImapHooks } from '../imap/index.js';
import type { Pop3HookResult, Pop3Hooks } from '../pop3/index.js';
import type { SmtpPhaseAction, SmtpPhaseHook } from '../smtp/listener.js';
import type { Store } from '../store/types.js';
import type { Topology } from '../topology/topology.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ProtocolFaultsOptions {
  faults: FaultPoints;
  topology: Topology;
  store: Store;
}

function gestoreOf(topology: Topology, address: string | undefined | null): string | undefined {
  return address ? topology.gestoreOfAddress(address)?.id : undefined;
}

/** the SMTP listener's phase hook for one service (`mx` or `submission`) */
export function smtpFaults(options: ProtocolFaultsOptions, service: 'mx' | 'submission'): SmtpPhaseHook {
  return (phase, { envelope, address }) => {
    const sender = phase === 'mail' ? address : envelope.mailFrom || undefined;
    const recipient = phase === 'rcpt' ? address : envelope.rcptTo[0];
    const subject: FaultSubject = {
      service, sender, recipient, user: envelope.user ?? undefined,
      gestore: service === 'mx' ? gestoreOf(options.topology, recipient) : gestoreOf(options.topology, envelope.user),
    };
    const effect = options.faults.at(`smtp.${phase}` as FaultPoint, subject);
    const action: SmtpPhaseAction = {};
    if (effect.realDelayMs) action.delayMs = effect.realDelayMs;
    if (effect.drop) action.drop = true;
    if (effect.reply) action.reply = effect.reply;
    return action;
  };
}

async function sessionVerdict(effect: FaultEffect): Promise<{ action: 'drop' } | { action: 'refuse'; text: string } | undefined> {
  if (effect.realDelayMs) await sleep(effect.realDelayMs);
  if (effect.drop) return { action: 'drop' };
  if (effect.refuse !== undefined) return { action: 'refuse', text: effect.refuse };
  return undefined;
}

export function imapFaults(options: ProtocolFaultsOptions): ImapHooks {
  const ask = (point: FaultPoint, address: string | null) =>
    options.faults.at(point, { user: address ?? undefined, gestore: gestoreOf(options.topology, address), service: 'imap' });
  return {
    async onLogin(ctx): Promise<ImapHookResult> {
      const effect = ask('imap.login', ctx.address);
      if (effect.resetUidValidity) {
        // What a provider's mailbox migration does: the client must forget every UID it knew.
        const inbox = options.store.getFolder(ctx.address, 'INBOX');
        if (inbox) options.store.resetUidValidity(inbox.id);
      }
      return sessionVerdict(effect);
    },
    async beforeFetch(ctx): Promise<ImapFetchHookResult> {
      // A connection lost before the answer is just a lost connection; lost inside a `{N}` literal
      // it tests what a client does with a partial body, the case worth provoking.
      const verdict = await sessionVerdict(ask('imap.fetch', ctx.address));
      return verdict?.action === 'drop' ? { action: 'drop-mid-literal' } : verdict;
    },
  };
}

export function pop3Faults(options: ProtocolFaultsOptions): Pop3Hooks {
  const ask = (point: FaultPoint, address: string | null) =>
    options.faults.at(point, { user: address ?? undefined, gestore: gestoreOf(options.topology, address), service: 'pop3' });
  const verdict = async (effect: FaultEffect): Promise<Pop3HookResult> => {
    const v = await sessionVerdict(effect);
    return v?.action === 'refuse' ? { action: 'refuse', text: v.text } : v;
  };
  return {
    onLogin: (session) => verdict(ask('pop3.login', session.address)),
    beforeRetr: (session) => verdict(ask('pop3.retr', session.address)),
  };
}
