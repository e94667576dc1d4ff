// `npm run bench`: every benchmark of the project in one run, on this machine, with the numbers
// the README quotes. `--flows N` sets the flow count (default 2000); `--memory` runs 20,000 flows
// and prints RSS every 1,000 to show that memory stays flat.
import { benchFlows, formatFlows } from './flows.js';
import { benchImap } from './imap.js';
import { benchSmtpFloor, formatFloor } from './smtp-floor.js';
import { benchWait, formatWait } from './wait.js';

const args = process.argv.slice(2);
const memory = args.includes('--memory');
const flowsAt = args.indexOf('--flows');
const flows = memory ? 20_000 : flowsAt >= 0 ? Number(args[flowsAt + 1]) : 2000;

console.log(`pec-testbed benchmarks, node ${process.version}, ${new Date().toISOString()}\n`);
console.log(`== PEC flows (SQLite on disk, real sockets, ${flows} flows) ==`);
console.log(formatFlows(await benchFlows({ flows })));
if (!memory) {
  console.log('\n== SMTP floor: the same flows with only their SMTP transactions ==');
  console.log(formatFloor(await benchSmtpFloor({ flows })));
  console.log('\n== IMAP ==');
  const imap = await benchImap();
  console.log(`FETCH BODY[] of 20 KB messages, one client: ${imap.fetchPerSecond.toFixed(0)} messages/s`);
  console.log(`SELECT + UID SEARCH UNSEEN in a 10,000-message INBOX: ${imap.selectSearchMs.toFixed(1)} ms`);
  console.log('\n== HTTP wait ==');
  console.log(formatWait(await benchWait({ samples: 200 })));
}
