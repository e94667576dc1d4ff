// Commands on the account's set of mailboxes: SELECT, EXAMINE, CREATE, DELETE, RENAME,
// SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB (with SPECIAL-USE and CHILDREN attributes) and STATUS.
// An account only ever sees its own folders: every store call is keyed by the session's address.

import type { Folder } from '../../store/types.js';
import { tokenText, type Token } from '../command-parser.js';
import { bad, no } from '../errors.js';
import { SYSTEM_FLAGS, hasFlag } from '../flags.js';
import { canonicalName, decodeMailboxName, DELIMITER, encodeMailboxName, listMatcher } from '../mailbox-names.js';
import { MailboxView } from '../mailbox-view.js';
import { ok, type CommandSpec, type Session } from '../session.js';
import { astring, encode } from '../wire.js';

const AUTHED = ['authenticated', 'selected'] as const;

export function mailboxArg(token: Token | undefined): string {
  const text = tokenText(token);
  if (text === null) throw bad('Mailbox name expected');
  const name = decodeMailboxName(text);
  if (name === null) throw bad('Invalid modified UTF-7 in mailbox name');
  return name;
}

function requireFolder(s: Session, name: string, code = 'NONEXISTENT'): Folder {
  const folder = s.store.getFolder(s.address!, name);
  if (!folder) throw no(`Mailbox does not exist: ${encodeMailboxName(name)}`, code);
  return folder;
}

function select(readOnly: boolean): CommandSpec {
  return {
    states: [...AUTHED],
    run(s, c) {
      if (c.args.length !== 1) throw bad('SELECT/EXAMINE expects one mailbox name');
      // a failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1)
      s.select(null);
      const folder = requireFolder(s, mailboxArg(c.args[0]));
      const records = s.store.listMessages(folder.id);
      const view = new MailboxView(folder, records, readOnly, (uids) => s.ctx.recent.claim(folder.id, uids));
      const keywords = new Set<string>();
      let firstUnseen = 0;
      view.uids.forEach((uid, i) => {
        const flags = view.record(uid)!.flags;
        for (const f of flags) if (!f.startsWith('\\')) keywords.add(f);
        if (firstUnseen === 0 && !hasFlag(flags, '\\Seen')) firstUnseen = i + 1;
      });
      const flagList = [...SYSTEM_FLAGS, ...keywords].join(' ');
      s.line(`* FLAGS (${flagList})`);
      s.line(readOnly ? '* OK [PERMANENTFLAGS ()] Read-only mailbox' : `* OK [PERMANENTFLAGS (${flagList} \\*)] Flags permitted`);
      s.line(`* ${view.exists} EXISTS`);
      s.line(`* ${view.recentCount} RECENT`);
      if (firstUnseen) s.line(`* OK [UNSEEN ${firstUnseen}] First unseen message`);
      s.line(`* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid`);
      s.line(`* OK [UIDNEXT ${Math.max(folder.uidNext, view.maxUid + 1)}] Predicted next UID`);
      s.select(view);
      return ok(`${readOnly ? 'EXAMINE' : 'SELECT'} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
    },
  };
}

function validNewName(name: string): string {
  const trimmed = name.endsWith(DELIMITER) ? name.slice(0, -1) : name;
  if (!trimmed || trimmed.startsWith(DELIMITER) || trimmed.includes(`${DELIMITER}${DELIMITER}`) || /[*%\x00-\x1f]/.test(trimmed)) {
    throw no('Invalid mailbox name', 'CANNOT');
  }
  return canonicalName(trimmed);
}

function listing(s: Session, reference: string, pattern: string, subscribedOnly: boolean): void {
  const command = subscribedOnly ? 'LSUB' : 'LIST';
  if (pattern === '') {
    s.line(`* ${command} (\\Noselect) "${DELIMITER}" ""`);
    return;
  }
  const folders = s.store.listFolders(s.address!);
  const byName = new Map(folders.map((f) => [f.name, f]));
  const shown = subscribedOnly ? folders.filter((f) => f.subscribed) : folders;
  const candidates = new Map<string, Folder | null>();
  for (const f of shown) {
    candidates.set(f.name, f);
    // a parent that is absent (or unsubscribed, for LSUB) shows up as \Noselect under `%`
    const parts = f.name.split(DELIMITER);
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join(DELIMITER);
      if (!candidates.has(parent)) candidates.set(parent, null);
    }
  }
  const matches = listMatcher(reference, pattern);
  const names = [...candidates.keys()].sort((a, b) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    if (!matches(name)) continue;
    let folder = candidates.get(name) ?? null;
    if (folder === null && !pattern.includes('%')) continue;
    if (folder === null && !subscribedOnly) folder = byName.get(name) ?? null;
    const attrs: string[] = [];
    if (!folder) attrs.push('\\Noselect');
    if (!subscribedOnly) {
      const prefix = `${name}${DELIMITER}`;
      attrs.push(folders.some((f) => f.name.startsWith(prefix)) ? '\\HasChildren' : '\\HasNoChildren');
      if (folder?.specialUse) attrs.push(folder.specialUse);
    }
    s.pieces([`* ${command} (${attrs.join(' ')}) "${DELIMITER}" `, ...encode(astring(encodeMailboxName(name)))]);
  }
}

const STATUS_ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'];

export const mailboxCommands: Record<string, CommandSpec> = {
  SELECT: select(false),
  EXAMINE: select(true),
  CREATE: {
    states: [...AUTHED],
    run(s, c) {
      if (c.args.length !== 1) throw bad('CREATE expects one mailbox name');
      const name = validNewName(mailboxArg(c.args[0]));
      if (s.store.getFolder(s.address!, name)) throw no('Mailbox already exists', 'ALREADYEXISTS');
      // missing parents are created by the store (RFC 3501 §6.3.3 SHOULD)
      s.store.createFolder(s.address!, name);
      return ok('CREATE completed');
    },
  },
  DELETE: {
    states: [...AUTHED],
    run(s, c) {
      if (c.args.length !== 1) throw bad('DELETE expects one mailbox name');
      const name = mailboxArg(c.args[0]);
      if (name === 'INBOX') throw no('INBOX cannot be deleted', 'CANNOT');
      const folder = requireFolder(s, name);
      // children survive as folders of their own (the store's choice, allowed by RFC 3501 §6.3.4)
      if (s.view?.folderId === folder.id) s.select(null);
      s.store.deleteFolder(s.address!, name);
      return ok('DELETE completed');
    },
  },
  RENAME: {
    states: [...AUTHED],
    run(s, c) {
      if (c.args.length !== 2) throw bad('RENAME expects two mailbox names');
      const from = mailboxArg(c.args[0]);
      const to = validNewName(mailboxArg(c.args[1]));
      requireFolder(s, from);
      if (s.store.getFolder(s.address!, to)) throw no('Target mailbox already exists', 'ALREADYEXISTS');
      if (to === from || to.startsWith(`${from}${DELIMITER}`)) throw no('Cannot rename a mailbox into itself', 'CANNOT');
      // the store moves children along, creates missing parents, and treats INBOX per §6.3.5
      s.store.renameFolder(s.address!, from, to);
      return ok('RENAME completed');
    },
  },
  SUBSCRIBE: {
    states: [...AUTHED],
    run(s, c) {
      if (c.args.length !== 1) throw bad('SUBSCRIBE expects one mailbox name');
      const name = mailboxArg(c.args[0]);
      requireFolder(s, name);
      s.store.setSubscribed(s.address!, name, true);
      return ok('SUBSCRIBE completed');
    },
  },
  UNSUBSCRIBE: {
    states: [...AUTHED],
    run(s, c) {
      if (c.args.length !== 1) throw bad('UNSUBSCRIBE expects one mailbox name');
      const name = mailboxArg(c.args[0]);
      requireFolder(s, name);
      s.store.setSubscribed(s.address!, name, false);
      return ok('UNSUBSCRIBE completed');
    },
  },
  LIST: {
    states: [...AUTHED],
    run(s, c) {
      const reference = tokenText(c.args[0]);
      const pattern = tokenText(c.args[1]);
      if (c.args.length !== 2 || reference === null || pattern === null) throw bad('LIST expects a reference and a pattern');
      listing(s, decodeMailboxName(reference) ?? reference, decodeMailboxName(pattern) ?? pattern, false);
      return ok('LIST completed');
    },
  },
  LSUB: {
    states: [...AUTHED],
    run(s, c) {
      const reference = tokenText(c.args[0]);
      const pattern = tokenText(c.args[1]);
      if (c.args.length !== 2 || reference === null || pattern === null) throw bad('LSUB expects a reference and a pattern');
      listing(s, decodeMailboxName(reference) ?? reference, decodeMailboxName(pattern) ?? pattern, true);
      return ok('LSUB completed');
    },
  },
  STATUS: {
    states: [...AUTHED],
    run(s, c) {
      const items = c.args[1];
      if (c.args.length !== 2 || items?.kind !== 'list' || items.items.length === 0) throw bad('STATUS expects a mailbox and a list of items');
      const wanted = items.items.map((t) => (t.kind === 'atom' ? t.value.toUpperCase() : ''));
      const unknown = wanted.find((w) => !STATUS_ITEMS.includes(w));
      if (unknown !== undefined) throw bad(`Unknown STATUS item ${unknown.replace(/[^A-Z0-9.-]/gi, '')}`);
      const name = mailboxArg(c.args[0]);
      const folder = requireFolder(s, name);
      const messages = s.store.listMessages(folder.id);
      const uids = messages.map((m) => m.uid).sort((a, b) => a - b);
      const values: Record<string, number> = {
        MESSAGES: messages.length,
        RECENT: s.ctx.recent.peek(folder.id, uids),
        UIDNEXT: Math.max(folder.uidNext, (uids[uids.length - 1] ?? 0) + 1),
        UIDVALIDITY: folder.uidValidity,
        UNSEEN: messages.filter((m) => !hasFlag(m.flags, '\\Seen')).length,
      };
      s.pieces(['* STATUS ', ...encode(astring(encodeMailboxName(folder.name))), ` (${wanted.map((w) => `${w} ${values[w]}`).join(' ')})`]);
      return ok('STATUS completed');
    },
  },
};
