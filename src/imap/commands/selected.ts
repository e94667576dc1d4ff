// Commands on the selected mailbox other than FETCH and SEARCH: CHECK, CLOSE, UNSELECT (RFC 3691),
// EXPUNGE and UID EXPUNGE, STORE, COPY with COPYUID, MOVE (RFC 6851), and IDLE (RFC 2177).

import { tokenText, type ParsedCommand, type Token } from '../command-parser.js';
import { bad, no } from '../errors.js';
import { normaliseFlag } from '../flags.js';
import type { MailboxView } from '../mailbox-view.js';
import { compactSet, parseSequenceSet } from '../sequence-set.js';
import { ok, type CommandSpec, type Session } from '../session.js';
import type { FlagMode } from '../../store/types.js';
import { mailboxArg } from './mailboxes.js';

const SELECTED = ['selected'] as const;

/**
 * UIDs addressed by a sequence set, in ascending order. Message numbers beyond the mailbox are a
 * client error (BAD); UIDs that do not exist are simply not there (RFC 3501 §6.4.8).
 */
export function targetUids(view: MailboxView, token: Token | undefined, byUid: boolean): number[] {
  const text = token?.kind === 'atom' ? token.value : null;
  if (text === null) throw bad('Sequence set expected');
  const ranges = parseSequenceSet(text, byUid ? view.maxUid : view.exists);
  if (!ranges) throw bad('Invalid sequence set');
  const out: number[] = [];
  if (byUid) {
    for (const uid of view.uids) {
      for (const [a, b] of ranges) {
        if (uid >= a && uid <= b) {
          out.push(uid);
          break;
        }
      }
    }
    return out;
  }
  const pieces = text.split(',');
  const picked = new Set<number>();
  ranges.forEach(([a, b], i) => {
    // `1:*` in an empty mailbox addresses nothing; an explicit number past the end is an error
    if (b > view.exists && !pieces[i].includes('*')) throw bad('Invalid message sequence number');
    for (let seq = Math.max(a, 1); seq <= Math.min(b, view.exists); seq++) picked.add(seq);
  });
  return [...picked].sort((x, y) => x - y).map((seq) => view.uids[seq - 1]);
}

function writable(s: Session): MailboxView {
  const view = s.view!;
  if (view.readOnly) throw no('Mailbox is read-only (EXAMINE)', 'READ-ONLY');
  return view;
}

function storeCommand(byUid: boolean): CommandSpec {
  return {
    states: [...SELECTED],
    expungeAllowed: byUid,
    run(s, c) {
      if (c.args.length < 3) throw bad('STORE expects a sequence set, an item and flags');
      const view = s.view!;
      const item = tokenText(c.args[1])?.toUpperCase() ?? '';
      const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
      if (!m) throw bad('STORE item must be FLAGS, +FLAGS or -FLAGS (optionally .SILENT)');
      const rest = c.args.slice(2);
      const flagTokens = rest.length === 1 && rest[0].kind === 'list' ? rest[0].items : rest;
      const flags: string[] = [];
      for (const t of flagTokens) {
        if (t.kind !== 'atom') throw bad('Flags must be atoms');
        if (t.value.toLowerCase() === '\\recent') continue;
        const flag = normaliseFlag(t.value);
        if (flag === null) throw bad(`Invalid flag ${t.value.replace(/[^\x21-\x7e]/g, '')}`);
        flags.push(flag);
      }
      const uids = targetUids(view, c.args[0], byUid).filter((uid) => !view.isExpunged(uid));
      writable(s);
      const mode: FlagMode = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'set';
      const records = uids.length ? s.mutate(() => s.store.setFlags(view.folderId, uids, flags, mode)) : [];
      for (const record of records) view.noteFlags(record.uid, record.flags, false);
      if (!m[2]) {
        for (const record of records) {
          const seq = view.seqOf(record.uid);
          if (seq === 0) continue;
          const flagText = view.flagsOf(record.uid).join(' ');
          s.line(`* ${seq} FETCH (FLAGS (${flagText})${byUid ? ` UID ${record.uid}` : ''})`);
        }
      }
      return ok('STORE completed');
    },
  };
}

function transfer(byUid: boolean, move: boolean): CommandSpec {
  return {
    states: [...SELECTED],
    run(s, c) {
      if (c.args.length !== 2) throw bad(`${move ? 'MOVE' : 'COPY'} expects a sequence set and a mailbox`);
      const view = s.view!;
      const uids = targetUids(view, c.args[0], byUid).filter((uid) => !view.isExpunged(uid));
      const dest = s.store.getFolder(s.address!, mailboxArg(c.args[1]));
      if (!dest) throw no('Destination mailbox does not exist', 'TRYCREATE');
      if (move) writable(s);
      if (uids.length === 0) return ok(`${move ? 'MOVE' : 'COPY'} completed, nothing to do`);
      const account = s.store.getAccount(s.address!);
      if (!move && account?.quotaBytes != null) {
        const adding = uids.reduce((sum, uid) => sum + (view.record(uid)?.size ?? 0), 0);
        if (s.store.usedBytes(s.address!) + adding > account.quotaBytes) throw no('Mailbox quota exceeded', 'OVERQUOTA');
      }
      const pairs = move
        ? s.mutate(() => s.store.moveMessages(view.folderId, uids, dest.id))
        : s.store.copyMessages(view.folderId, uids, dest.id);
      const code = pairs.length
        ? `COPYUID ${dest.uidValidity} ${compactSet(pairs.map((p) => p[0]))} ${compactSet(pairs.map((p) => p[1]))}`
        : undefined;
      if (!move) return ok('COPY completed', code);
      // RFC 6851 §4.3: COPYUID travels in an untagged OK before the EXPUNGEs
      if (code) s.line(`* OK [${code}] Moved`);
      for (const text of view.applyOwnExpunge(pairs.map((p) => p[0]))) s.line(text);
      return ok('MOVE completed');
    },
  };
}

function expungeCommand(byUid: boolean): CommandSpec {
  return {
    states: [...SELECTED],
    run(s, c) {
      const view = s.view!;
      if (byUid !== (c.args.length === 1) || c.args.length > 1) throw bad(byUid ? 'UID EXPUNGE expects a UID set' : 'EXPUNGE takes no arguments');
      const only = byUid ? targetUids(view, c.args[0], true) : undefined;
      writable(s);
      const removed = s.mutate(() => s.store.expunge(view.folderId, only));
      for (const text of view.applyOwnExpunge(removed)) s.line(text);
      return ok('EXPUNGE completed');
    },
  };
}

function noArgs(c: ParsedCommand): void {
  if (c.args.length) throw bad(`${c.name} takes no arguments`);
}

export const selectedCommands: Record<string, CommandSpec> = {
  CHECK: {
    states: [...SELECTED],
    run(s, c) {
      noArgs(c);
      return ok('CHECK completed');
    },
  },
  CLOSE: {
    states: [...SELECTED],
    run(s, c) {
      noArgs(c);
      const view = s.view!;
      // CLOSE expunges silently (RFC 3501 §6.4.2); not in a read-only mailbox
      if (!view.readOnly) s.mutate(() => s.store.expunge(view.folderId));
      s.select(null);
      return ok('CLOSE completed');
    },
  },
  UNSELECT: {
    states: [...SELECTED],
    run(s, c) {
      noArgs(c);
      s.select(null);
      return ok('UNSELECT completed');
    },
  },
  EXPUNGE: expungeCommand(false),
  'UID EXPUNGE': expungeCommand(true),
  STORE: storeCommand(false),
  'UID STORE': storeCommand(true),
  COPY: transfer(false, false),
  'UID COPY': transfer(true, false),
  MOVE: transfer(false, true),
  'UID MOVE': transfer(true, true),
  IDLE: {
    states: ['authenticated', 'selected'],
    async run(s, c) {
      noArgs(c);
      s.line('+ idling');
      s.setIdling(true);
      const line = await s.readContinuation();
      s.setIdling(false);
      if (line === null) {
        s.destroy('client left during IDLE');
        return 'done';
      }
      if (line.trim().toUpperCase() !== 'DONE') throw bad('Expected DONE to end IDLE');
      return ok('IDLE terminated');
    },
  },
};
