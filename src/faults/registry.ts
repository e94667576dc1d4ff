// The fault rules of one running testbed, and the engine's FaultPoints seam over them. Rules are
// added as data (validated), listed with their counters, removed or cleared at run time; at each
// point the registry finds the rules that apply (the explicit ones in order, then the magic rules
// of a `+tag` recipient) and merges their actions into one effect, the first rule winning a field.
import { createHash, randomBytes } from 'node:crypto';
import { parseDuration } from '../clock/clock.js';
import type { FaultEffect, FaultPoint, FaultPoints, FaultSubject } from '../gestore/faults.js';
import { magicRules } from './magic.js';
import { matches } from './match.js';
import { atOfPoint, effectOf } from './points.js';
import { parseRule, type RuleScope } from './schema.js';
import type { FaultRule, FaultRuleInfo, FaultRuleInput } from './types.js';

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
}

interface State {
  rule: FaultRule;
  seen: number;
  hits: number;
  firstHitAt: number | null;
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
    const checked: FaultRuleInput = parseRule(input, this.scope);
    let id = checked.id;
    if (id === undefined) {
      do id = `r${this.nextId++}`; while (this.rules.some((s) => s.rule.id === id));
    } else if (this.rules.some((s) => s.rule.id === id)) {
      throw new RangeError(`a fault rule with id "${id}" exists already`);
    }
    const rule: FaultRule = { ...checked, id, match: checked.match ?? {}, times: checked.times ?? 'always' };
    this.rules.push({ rule, seen: 0, hits: 0, firstHitAt: null });
    return structuredClone(rule);
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
    this.rules.splice(index, 1);
    return true;
  }

  clear(): void {
    this.rules.length = 0;
  }

  at(point: FaultPoint, subject: FaultSubject): FaultEffect {
    const at = atOfPoint(point);
    const applied: FaultRule[] = [];
    for (const state of this.rules) {
      if (state.rule.at !== at || !matches(state.rule.match, subject)) continue;
      if (this.exhausted(state)) continue;
      state.seen++;
      const { nth, probability } = state.rule.match;
      if (nth !== undefined && state.seen !== nth) continue;
      if (probability !== undefined && this.draw(state.rule, point, subject) >= probability) continue;
      state.hits++;
      state.firstHitAt ??= this.options.clock.now();
      applied.push(state.rule);
    }
    const recipient = subject.recipient;
    if (recipient && (this.options.magicAddress?.(recipient) ?? true)) {
      for (const rule of magicRules(recipient)) if (rule.at === at && matches(rule.match, subject)) applied.push(rule);
    }
    if (applied.length === 0) return {};
    for (const rule of applied) this.options.onApplied?.(rule, point, subject);
    // The first rule wins a field it sets: merge from the last.
    const effect: FaultEffect = {};
    for (const rule of [...applied].reverse()) Object.assign(effect, effectOf(rule.at, rule.do));
    effect.rule = applied.map((r) => r.id).join(',');
    return effect;
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
   * have no message yet, take the next number of a sequence.
   */
  private draw(rule: FaultRule, point: FaultPoint, subject: FaultSubject): number {
    const event = subject.identificativo !== undefined
      ? `${subject.identificativo}|${subject.recipient ?? ''}|${subject.kind ?? ''}`
      : `#${this.draws++}`;
    const digest = createHash('sha256').update(`${this.seed}\u0000${rule.id}\u0000${point}\u0000${event}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }
}

