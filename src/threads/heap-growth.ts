// How much the V8 heap may grow between full collections, for a process that runs a testbed as
// its main job (`pec-testbed start`, the benchmarks). V8 starts marking the old generation as soon
// as the room left below its limit is smaller than the young generation. The main thread keeps
// ~20 MB alive, and its default limit (about twice that) left less room than the 16 MB semi-spaces:
// under load it ran a full mark-compact every ~250 ms (73-77 in a 2,000-flow run), and V8's helper
// threads spent ~2 ms of CPU per flow, mostly marking. Letting the heap grow to 4x what a
// collection leaves brings that to 6 full collections per run, for the same live set. The flag is process-wide and read at every GC, so
// setting it once covers the worker threads too; an embedding process (the in-process API in a
// test runner) keeps its own GC settings.
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 300;

let applied = false;

export function growHeapForThroughput(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
