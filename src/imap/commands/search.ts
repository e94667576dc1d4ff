// SEARCH and UID SEARCH over the session's view. Metadata-only criteria (flags, UIDs, sizes,
// internal dates) never touch message bytes, which keeps SEARCH UNSEEN on a large INBOX cheap.

import { bad } from '../errors.js';
import { parseSearch, runSearch, type SearchCandidate } from '../search.js';
import { ok, type CommandSpec } from '../session.js';

function searchCommand(byUid: boolean): CommandSpec {
  return {
    states: ['selected'],
    expungeAllowed: byUid,
    run(s, c) {
      if (c.args.length === 0) throw bad('SEARCH expects criteria');
      const view = s.view!;
      const key = parseSearch(c.args, { exists: view.exists, maxUid: view.maxUid });
      const candidates = function* (): Generator<SearchCandidate> {
        for (let i = 0; i < view.uids.length; i++) {
          const uid = view.uids[i];
          const record = view.record(uid);
          if (!record) continue;
          yield {
            seq: i + 1,
            record,
            recent: view.isRecent(uid),
            load: () => {
              try {
                return s.store.getRaw(record.id);
              } catch {
                return null;
              }
            },
          };
        }
      };
      const hits = runSearch(key, candidates());
      const numbers = hits.map((h) => (byUid ? h.record.uid : h.seq));
      s.line(`* SEARCH${numbers.length ? ' ' : ''}${numbers.join(' ')}`);
      return ok('SEARCH completed');
    },
  };
}

export const searchCommands: Record<string, CommandSpec> = {
  SEARCH: searchCommand(false),
  'UID SEARCH': searchCommand(true),
};
