// SEARCH and UID SEARCH over the session's view. Metadata-only criteria (flags, UIDs, sizes,
// internal dates) never touch message bytes, which keeps SEARCH UNSEEN on a large INBOX cheap.

import { bad } from '../errors.js';
import { parseSearch, runSearch } from '../search.js';
import { ok, type CommandSpec } from '../session.js';

function searchCommand(byUid: boolean): CommandSpec {
  return {
    states: ['selected'],
    expungeAllowed: byUid,
    run(s, c) {
      if (c.args.length === 0) throw bad('SEARCH expects criteria');
      const view = s.view!;
      const key = parseSearch(c.args, { exists: view.exists, maxUid: view.maxUid });
      const seqs = runSearch(key, {
        count: view.exists,
        record: (index) => view.record(view.uids[index]),
        recent: (uid) => view.isRecent(uid),
        load: (record) => {
          try {
            return s.store.getRaw(record.id);
          } catch {
            return null;
          }
        },
      });
      const numbers = byUid ? seqs.map((seq) => view.uids[seq - 1]) : seqs;
      s.line(`* SEARCH${numbers.length ? ' ' : ''}${numbers.join(' ')}`);
      return ok('SEARCH completed');
    },
  };
}

export const searchCommands: Record<string, CommandSpec> = {
  SEARCH: searchCommand(false),
  'UID SEARCH': searchCommand(true),
};
