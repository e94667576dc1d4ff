// How much the V8 heap may grow between full collections, for a process that runs a testbed as
// its main job (`pec-testbed start`, the benchmarks). With V8's default, the main thread (~20 MB
// alive under load) started marking again as soon as a full collection had ended
// (`--trace-incremental-marking`): a mark-compact every ~250 ms, 73-77 in a 2,000-flow run, and
// ~2 ms of CPU per flow on V8's helper threads, mostly marking. Letting the heap grow to 4x what a
// collection leaves brings that to 6 per run for the same live set, at ~60 MB more RSS. The flag
// is process-wide and read at every collection, so setting it once covers the worker threads too;
// a process that embeds the in-process API (a test runner) keeps its own settings.
import v8 from 'node:v8';

const HEAP_GROWING_PERCENT = 300;

let applied = false;

export function growHeapForThroughput(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
