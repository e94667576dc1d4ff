// The fault rules of one running testbed, and the engine's FaultPoints seam over them. Rules are
// added as data (validated), listed with their counters, removed or cleared at run time; at each
// point the registry finds the rules that apply (the explicit ones in order, then the magic rules
// of a `+tag` recipient) and merges their actions into one effect, the first rule winning a field.
//
// Given a store, the registry keeps the rules in force there with their counters, so a testbed
// restarted on the same data dir comes back with the same rules, ids, order and remaining
// `times` / `nth` / `for`. restore() says how that combines with the scenario file given at start.
import { createHash, randomBytes } from 'node:crypto';
import { parseDuration } from '../clock/clock.js';
import type { FaultEffect, FaultPoint, FaultPoints, FaultSubject } from '../gestore/faults.js';
import type { FaultRuleCounters, Store, StoredFaultRule } from '../store/types.js';
import { magicRules } from './magic.js';
import { matches } from './match.js';
import { atOfPoint, effectOf } from './points.js';
import { FaultRuleError, parseRule, type RuleScope } from './schema.js';
import type { FaultRule, FaultRuleInfo, FaultRuleInput } from './types.js';

/** what the registry needs of the store */
export type FaultRuleStore = Pick<Store, 'loadFaultRules' | 'saveFaultRules' | 'addFaultRule' | 'setFaultRuleCounters' | 'deleteFaultRule'>;

export interface FaultRegistryOptions {
  /** virtual time, for `for:` windows */
  clock: { now(): number };
  /** makes `probability` decisions reproducible; default: random */
  seed?: string | number;
  /** gestori of the topology: `match.gestore` is checked against them */
  gestori?: readonly string[];
  /** whether an address may carry a magic `+tag`: a PEC domain of the testbed, and no mailbox of that exact name */
  magicAddress?: (address: string) => boolean;
  /** told every time a rule is applied */
  onApplied?: (rule: FaultRule, point: FaultPoint, subject: FaultSubject) => void;
  /** keeps the rules across restarts; call restore() once before anything else */
  store?: FaultRuleStore;
  /** a saved rule that restore() could not bring back as it was; default: a process warning */
  onWarning?: (message: string, detail: Record<string, unknown>) => void;
}

type Source = StoredFaultRule['source'];

interface State {
  rule: FaultRule;
  source: Source;
  /** the id is `r<N>`, given by the registry: restore() may give it another on a clash */
  assignedId: boolean;
  seen: number;
  hits: number;
  firstHitAt: number | null;
}

/** a saved row that passed every check, with the rule as the current schema reads it */
interface Revived {
  rule: FaultRule;
  source: Source;
  assignedId: boolean;
  counters: FaultRuleCounters;
}

function normalized(checked: FaultRuleInput, id: string): FaultRule {
  return { ...checked, id, match: checked.match ?? {}, times: checked.times ?? 'always' };
}

/** JSON with sorted keys: two definitions of one rule compare equal whatever their key order */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function toStored(state: State): StoredFaultRule {
  return {
    id: state.rule.id, source: state.source, assignedId: state.assignedId, definition: JSON.stringify(state.rule),
    seen: state.seen, hits: state.hits, firstHitAt: state.firstHitAt,
  };
}

function defaultWarning(message: string): void {
  process.emitWarning(message, { code: 'PEC_TESTBED_FAULT_RULE' });
}

export class FaultRegistry implements FaultPoints {
  private readonly rules: State[] = [];
  private nextId = 1;
  private readonly seed: string;
  private readonly scope: RuleScope;
  private draws = 0;

  constructor(private readonly options: FaultRegistryOptions) {
    this.seed = options.seed !== undefined ? String(options.seed) : randomBytes(16).toString('hex');
    this.scope = { gestori: options.gestori };
  }

  /** validates and adds a rule (throws FaultRuleError); returns it with its id */
  add(input: unknown): FaultRule {
    const state = this.create(input, 'runtime');
    // stored first: a rule the store refused is not in force either
    this.options.store?.addFaultRule(toStored(state), this.nextId);
    this.rules.push(state);
    return structuredClone(state.rule);
  }

  /**
   * Puts in force the scenario file's rules, then the rules added at run time that the store kept
   * from an earlier run, and stores the result. The file stays the source of its own rules: they
   * are applied from it at every start (a scenario rule removed at run time comes back), and keep
   * their counters only when the file still has the same rule under the same id. Saved run-time
   * rules follow them in the order they were added, with their ids and counters; on an id clash
   * with the file, a run-time rule whose id the user chose replaces the file's rule (that is how a
   * scenario rule is changed at run time: remove it, add one with its id), one whose id was
   * assigned (`r<N>`, after the file's rules changed) gets a new id. A saved rule that no longer
   * validates (damaged, or not for this topology) is dropped; every such decision is warned about.
   */
  restore(scenario: readonly unknown[] = []): void {
    this.rules.length = 0;
    const saved = this.options.store?.loadFaultRules() ?? { rules: [], nextId: 1 };
    const revived = saved.rules.map((row, index) => this.revive(row, index)).filter((r): r is Revived => r !== undefined);

    const savedScenario = new Map(revived.filter((r) => r.source === 'scenario').map((r) => [r.rule.id, r]));
    for (const input of scenario) {
      const state = this.create(input, 'scenario');
      const before = savedScenario.get(state.rule.id);
      if (before && canonical(before.rule) === canonical(state.rule)) Object.assign(state, before.counters);
      this.rules.push(state);
    }
    // after the file's rules, which number theirs from r1 at every start, as before persistence
    this.nextId = Math.max(this.nextId, saved.nextId);

    const runtime = revived.filter((x) => x.source === 'runtime');
    // a new id must not be one that a saved rule still to come has
    const reserved = new Set(runtime.map((r) => r.rule.id));
    for (const r of runtime) {
      let rule = r.rule;
      const clash = this.rules.findIndex((s) => s.rule.id === rule.id);
      if (clash >= 0 && r.assignedId) {
        const id = this.freshId(reserved);
        this.warn(`fault rule ${rule.id} added at run time is now ${id}: the scenario file has a rule ${rule.id}`, { id: rule.id, newId: id });
        rule = { ...rule, id };
      } else if (clash >= 0) {
        this.rules.splice(clash, 1);
        this.warn(`fault rule ${rule.id} of the scenario file is not applied: the rule ${rule.id} added at run time replaces it`, { id: rule.id });
      }
      this.rules.push({ rule, source: 'runtime', assignedId: r.assignedId, ...r.counters });
    }
    this.options.store?.saveFaultRules({ rules: this.rules.map(toStored), nextId: this.nextId });
  }

  list(): FaultRuleInfo[] {
    return this.rules.map((s) => ({ ...structuredClone(s.rule), seen: s.seen, hits: s.hits, firstHitAt: s.firstHitAt, exhausted: this.exhausted(s) }));
  }

  get(id: string): FaultRuleInfo | undefined {
    return this.list().find((r) => r.id === id);
  }

  remove(id: string): boolean {
    const index = this.rules.findIndex((s) => s.rule.id === id);
    if (index < 0) return false;
    this.options.store?.deleteFaultRule(id);
    this.rules.splice(index, 1);
    return true;
  }

  clear(): void {
    this.options.store?.saveFaultRules({ rules: [], nextId: this.nextId });
    this.rules.length = 0;
  }

  at(point: FaultPoint, subject: FaultSubject): FaultEffect {
    const at = atOfPoint(point);
    const applied: FaultRule[] = [];
    const counted: State[] = [];
    for (const state of this.rules) {
      if (state.rule.at !== at || !matches(state.rule.match, subject)) continue;
      if (this.exhausted(state)) continue;
      state.seen++;
      counted.push(state);
      const { nth, probability } = state.rule.match;
      if (nth !== undefined && state.seen !== nth) continue;
      if (probability !== undefined && this.draw(state.rule, point, subject) >= probability) continue;
      state.hits++;
      state.firstHitAt ??= this.options.clock.now();
      applied.push(state.rule);
    }
    // Stored now, one statement each, joining whatever transaction or group commit is open: the
    // bent work commits later on the same connection, so a crash never keeps its effect and loses
    // the count (it may keep the count of work it takes back, which is then counted again).
    for (const state of counted) {
      this.options.store?.setFaultRuleCounters(state.rule.id, { seen: state.seen, hits: state.hits, firstHitAt: state.firstHitAt });
    }
    // Only a tagged address is looked up: the lookup is a store query, and every fault point of
    // every flow would otherwise make it.
    const recipient = subject.recipient;
    const magic = recipient ? magicRules(recipient) : [];
    if (magic.length > 0 && (this.options.magicAddress?.(recipient!) ?? true)) {
      for (const rule of magic) if (rule.at === at && matches(rule.match, subject)) applied.push(rule);
    }
    if (applied.length === 0) return {};
    for (const rule of applied) this.options.onApplied?.(rule, point, subject);
    // The first rule wins a field it sets: merge from the last.
    const effect: FaultEffect = {};
    for (const rule of [...applied].reverse()) Object.assign(effect, effectOf(rule.at, rule.do));
    effect.rule = applied.map((r) => r.id).join(',');
    return effect;
  }

  private create(input: unknown, source: Source): State {
    const checked: FaultRuleInput = parseRule(input, this.scope);
    let id = checked.id;
    if (id === undefined) {
      id = this.freshId();
    } else if (this.rules.some((s) => s.rule.id === id)) {
      // the caller's mistake, like any invalid rule: the HTTP API answers it with 400 naming `id`
      throw new FaultRuleError([{ path: 'id', message: `a fault rule with id "${id}" exists already` }]);
    }
    return { rule: normalized(checked, id), source, assignedId: checked.id === undefined, seen: 0, hits: 0, firstHitAt: null };
  }

  private freshId(reserved: ReadonlySet<string> = new Set()): string {
    let id: string;
    do id = `r${this.nextId++}`; while (reserved.has(id) || this.rules.some((s) => s.rule.id === id));
    return id;
  }

  /** a saved row as a rule of the current schema, or undefined (warned about) */
  private revive(row: StoredFaultRule, index: number): Revived | undefined {
    const name = typeof row.id === 'string' ? row.id : `#${index + 1}`;
    const skip = (why: string): undefined => {
      this.warn(`saved fault rule ${name} skipped: ${why}`, { id: row.id, definition: row.definition });
      return undefined;
    };
    if (row.source !== 'scenario' && row.source !== 'runtime') return skip(`unknown source ${JSON.stringify(row.source)}`);
    if (!isCount(row.seen) || !isCount(row.hits) || (row.firstHitAt !== null && !isCount(row.firstHitAt))) return skip('damaged counters');
    let value: unknown;
    try {
      value = JSON.parse(String(row.definition));
    } catch (error) {
      return skip(`not JSON (${(error as Error).message})`);
    }
    let checked: FaultRuleInput;
    try {
      checked = parseRule(value, this.scope);
    } catch (error) {
      return skip(`no longer a valid rule: ${(error as Error).message}`);
    }
    if (checked.id !== row.id) return skip(`its definition names another id (${JSON.stringify(checked.id)})`);
    return {
      rule: normalized(checked, checked.id),
      source: row.source,
      assignedId: row.assignedId,
      counters: { seen: row.seen, hits: row.hits, firstHitAt: row.firstHitAt },
    };
  }

  private warn(message: string, detail: Record<string, unknown>): void {
    (this.options.onWarning ?? defaultWarning)(message, detail);
  }

  private exhausted(state: State): boolean {
    const { rule } = state;
    if (rule.times !== 'always' && state.hits >= rule.times) return true;
    if (rule.match.nth !== undefined && state.seen >= rule.match.nth) return true;
    if (rule.for !== undefined && state.firstHitAt !== null && this.options.clock.now() >= state.firstHitAt + parseDuration(rule.for)) return true;
    return false;
  }

  /**
   * A number in [0, 1) for a probability rule. Named after the message when there is one, so a
   * seed gives the same decisions whatever order concurrent jobs ask in; protocol events, which
   * have no message yet, take the next number of a sequence. That sequence is not stored: it
   * starts over at every start, like the seed, which a start without `--seed` draws anew.
   */
  private draw(rule: FaultRule, point: FaultPoint, subject: FaultSubject): number {
    const event = subject.identificativo !== undefined
      ? `${subject.identificativo}|${subject.recipient ?? ''}|${subject.kind ?? ''}`
      : `#${this.draws++}`;
    const digest = createHash('sha256').update(`${this.seed}\u0000${rule.id}\u0000${point}\u0000${event}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }
}

