// Store benchmark: batched and per-commit appends (on disk with synchronous NORMAL and FULL, and
// in memory), listing a 10,000-message folder, indexed lookups. Run: npx tsx bench/store.ts
// Numbers are for one process on a shared machine; compare runs on the same box only.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type OpenStoreOptions, type SqliteStore } from '../src/store/index.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const BATCH = 100;
const COMMITS = Number(process.env.BENCH_COMMITS ?? 1_000);
const raw = Buffer.alloc(10 * 1024, 'x');
raw.write('Subject: bench\r\n\r\n');

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fresh(kind: 'NORMAL' | 'FULL' | 'memory'): { store: SqliteStore; dir?: string } {
  if (kind === 'memory') return { store: openStore({ inMemory: true }) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pec-store-bench-'));
  const options: OpenStoreOptions = { path: path.join(dir, 'store.sqlite'), synchronous: kind };
  return { store: openStore(options), dir };
}

function batched(kind: 'NORMAL' | 'FULL' | 'memory'): SqliteStore & { dir?: string } {
  const { store, dir } = fresh(kind);
  store.createAccount({ address: 'bench@pec.alfa.test', password: 'pec', gestore: 'alfa' });
  const inbox = store.getFolder('bench@pec.alfa.test', 'INBOX')!;
  const start = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i += BATCH) {
    store.transaction(() => {
      for (let j = i; j < i + BATCH && j < MESSAGES; j++) {
        store.appendMessage(inbox.id, raw, {
          internalDate: 1_700_000_000_000 + j,
          meta: { kind: j % 2 ? 'posta-certificata' : 'accettazione', refMessageId: `<ref-${j}@bench>`, identificativo: `opec-${j}`, subject: `message ${j}` },
        });
      }
    });
  }
  const t = ms(start);
  console.log(`append 10 KB, batches of ${BATCH} [${kind}]: ${MESSAGES} in ${t.toFixed(0)} ms = ${Math.round((MESSAGES / t) * 1000)} msg/s`);
  return Object.assign(store, { dir });
}

function perCommit(kind: 'NORMAL' | 'FULL' | 'memory'): void {
  const { store, dir } = fresh(kind);
  store.createAccount({ address: 'bench@pec.alfa.test', password: 'pec', gestore: 'alfa' });
  const inbox = store.getFolder('bench@pec.alfa.test', 'INBOX')!;
  const start = process.hrtime.bigint();
  // what one SMTP 250 costs: the message, its job and a log line in one commit
  for (let i = 0; i < COMMITS; i++) {
    store.transaction(() => {
      const m = store.appendMessage(inbox.id, raw, { meta: { identificativo: `opec-${i}` } });
      store.enqueueJob({ kind: 'relay', dueAt: i, payload: { message: m.id }, key: `relay:${i}` });
      store.appendLog({ at: i, gestore: 'alfa', actor: 'accesso', event: 'accettazione', identificativo: `opec-${i}` });
    });
  }
  const t = ms(start);
  console.log(`one commit per message (+job +log) [${kind}]: ${COMMITS} in ${t.toFixed(0)} ms = ${Math.round((COMMITS / t) * 1000)} commits/s, ${(t / COMMITS).toFixed(3)} ms each`);
  store.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

function reads(store: SqliteStore, label: string): void {
  const inbox = store.getFolder('bench@pec.alfa.test', 'INBOX')!;
  const listTimes: number[] = [];
  let count = 0;
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    count = store.listMessages(inbox.id).length;
    listTimes.push(ms(start));
  }
  const cpu = process.cpuUsage(cpuStart);
  // CPU time per call is what the store costs; wall time also shows how busy the machine is
  console.log(
    `listMessages of ${count} [${label}]: median ${median(listTimes).toFixed(2)} ms wall, ` +
      `${((cpu.user + cpu.system) / 1000 / 20).toFixed(2)} ms CPU per call, max ${Math.max(...listTimes).toFixed(2)} ms`,
  );

  const findTimes: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const start = process.hrtime.bigint();
    const hits = store.findMessages({ refMessageId: `<ref-${(i * 7919) % MESSAGES}@bench>` });
    findTimes.push(ms(start));
    if (hits.length !== 1) throw new Error('findMessages by refMessageId: expected one hit');
  }
  console.log(`findMessages by refMessageId [${label}]: median ${(median(findTimes) * 1000).toFixed(0)} µs`);
  const plan = store.database
    .prepare(
      `EXPLAIN QUERY PLAN SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id
       WHERE m.ref_message_id = ? ORDER BY m.id LIMIT -1 OFFSET 0`,
    )
    .all('<x>') as Array<{ detail: string }>;
  console.log(`  plan: ${plan.map((p) => p.detail).join(' | ')}`);

  const rawTimes: number[] = [];
  const all = store.listMessages(inbox.id);
  for (let i = 0; i < 1000; i++) {
    const id = all[(i * 7919) % all.length].id;
    const start = process.hrtime.bigint();
    store.getRaw(id);
    rawTimes.push(ms(start));
  }
  console.log(`getRaw 10 KB [${label}]: median ${(median(rawTimes) * 1000).toFixed(0)} µs`);

  const subjectStart = process.hrtime.bigint();
  const bySubject = store.findMessages({ subject: 'MESSAGE 9999' });
  console.log(`findMessages by subject substring (scan) [${label}]: ${ms(subjectStart).toFixed(2)} ms, ${bySubject.length} hit(s)`);
}

function jobs(): void {
  const { store, dir } = fresh('NORMAL');
  const n = 5000;
  let start = process.hrtime.bigint();
  store.transaction(() => {
    for (let i = 0; i < n; i++) store.enqueueJob({ kind: 'timer', dueAt: i, payload: { i }, key: `t:${i}` });
  });
  let t = ms(start);
  console.log(`enqueueJob in one transaction [NORMAL]: ${Math.round((n / t) * 1000)} jobs/s`);
  start = process.hrtime.bigint();
  let done = 0;
  for (;;) {
    const due = store.dueJobs(n, 100);
    if (due.length === 0) break;
    store.transaction(() => due.forEach((j) => store.completeJob(j.id)));
    done += due.length;
  }
  t = ms(start);
  console.log(`dueJobs(100) + completeJob in batches [NORMAL]: ${Math.round((done / t) * 1000)} jobs/s`);
  store.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${os.cpus().length} cpu(s), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const kind of ['NORMAL', 'FULL', 'memory'] as const) {
  const store = batched(kind);
  reads(store, kind);
  store.close();
  if (store.dir) fs.rmSync(store.dir, { recursive: true, force: true });
}
for (const kind of ['NORMAL', 'FULL', 'memory'] as const) perCommit(kind);
jobs();
