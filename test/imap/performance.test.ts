// The performance targets, measured by bench/imap.ts: SELECT + SEARCH UNSEEN on a
// 10,000-message INBOX under 100 ms, and FETCH BODY[] of 20 KB messages at a useful rate.

import { describe, expect, it } from 'vitest';
import { benchImap } from '../../bench/imap.js';

describe('performance', () => {
  it('selects and searches a 10,000-message INBOX in under 100 ms and streams 20 KB messages', async () => {
    const result = await benchImap();
    console.log(`imap bench: ${JSON.stringify(result)}`);
    expect(result.selectSearchMs).toBeLessThan(100);
    // measured ~5,000-6,600/s on the 2-core dev machine; the floor only catches a collapse
    expect(result.fetchPerSecond).toBeGreaterThan(300);
  });
});
