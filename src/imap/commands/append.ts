// APPEND (RFC 3501 §6.3.11) with APPENDUID (UIDPLUS, RFC 4315): the literal is stored byte for
// byte. The framing layer has already refused literals above APPENDLIMIT without reading them.
// The message is indexed as the gestore indexes what it delivers, so a receipt a client files
// away by APPEND is found by the API's filters like any other.

import { metaOf } from '../../gestore/mailbox.js';
import { tokenText } from '../command-parser.js';
import { parseDateTime } from '../dates.js';
import { bad, no } from '../errors.js';
import { normaliseFlag } from '../flags.js';
import { ok, type CommandSpec } from '../session.js';
import { mailboxArg } from './mailboxes.js';

export const appendCommands: Record<string, CommandSpec> = {
  APPEND: {
    states: ['authenticated', 'selected'],
    run(s, c) {
      const args = c.args;
      if (args.length < 2 || args.length > 4) throw bad('APPEND expects mailbox [flags] [date-time] message');
      const name = mailboxArg(args[0]);
      let i = 1;
      const flags: string[] = [];
      const flagList = args[i];
      if (flagList?.kind === 'list') {
        for (const t of flagList.items) {
          const flag = t.kind === 'atom' ? normaliseFlag(t.value) : null;
          if (flag === null) {
            if (t.kind === 'atom' && t.value.toLowerCase() === '\\recent') continue;
            throw bad('Invalid flag in APPEND');
          }
          flags.push(flag);
        }
        i++;
      }
      let internalDate = s.ctx.clock.now();
      if (args.length - i === 2) {
        const text = tokenText(args[i]);
        const parsed = text === null ? null : parseDateTime(text);
        if (parsed === null) throw bad('Invalid date-time in APPEND');
        internalDate = parsed;
        i++;
      }
      const message = args[i];
      if (i !== args.length - 1 || message.kind !== 'string') throw bad('APPEND expects the message as a literal');
      const raw = message.value;
      if (raw.length === 0) throw no('Refusing to store an empty message', 'CANNOT');
      const folder = s.store.getFolder(s.address!, name);
      if (!folder) throw no('Mailbox does not exist', 'TRYCREATE');
      const account = s.store.getAccount(s.address!);
      if (account?.quotaBytes != null && s.store.usedBytes(s.address!) + raw.length > account.quotaBytes) {
        throw no('Mailbox quota exceeded', 'OVERQUOTA');
      }
      const record = s.store.appendMessage(folder.id, raw, { flags, internalDate, meta: metaOf(raw) });
      s.ctx.log('imap.append', { session: s.id, address: s.address, mailbox: folder.name, uid: record.uid, size: raw.length });
      return ok('APPEND completed', `APPENDUID ${folder.uidValidity} ${record.uid}`);
    },
  },
};
