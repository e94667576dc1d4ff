// The fault rules in force, kept so that a testbed restarted on the same data dir comes back with
// them (ids, order, counters). The store keeps rows, not rules: the definition is JSON text the
// fault registry validates again at start, so a rule the current code no longer accepts is its
// decision to skip, and load() returns even damaged rows rather than failing the whole start.

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { readMeta, writeMeta } from './meta.js';
import type { FaultRuleCounters, FaultRuleSet, StoredFaultRule } from './types.js';

const NEXT_ID_KEY = 'fault_rule_next_id';

interface FaultRuleRow {
  id: unknown;
  source: unknown;
  assigned_id: unknown;
  definition: unknown;
  seen: unknown;
  hits: unknown;
  first_hit_at: unknown;
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new StoreError('INVALID', `fault rule ${what} must be a whole number >= 0`);
  return value as number;
}

function checkCounters(counters: FaultRuleCounters): void {
  count(counters.seen, 'seen');
  count(counters.hits, 'hits');
  if (counters.firstHitAt !== null) count(counters.firstHitAt, 'firstHitAt');
}

function checkRule(rule: StoredFaultRule): void {
  if (typeof rule.id !== 'string' || rule.id.length === 0) throw new StoreError('INVALID', 'fault rule id must be a non-empty string');
  if (rule.source !== 'scenario' && rule.source !== 'runtime') throw new StoreError('INVALID', 'fault rule source must be "scenario" or "runtime"');
  if (typeof rule.definition !== 'string') throw new StoreError('INVALID', 'fault rule definition must be JSON text');
  checkCounters(rule);
}

export class FaultRules {
  constructor(private readonly ctx: StoreContext) {}

  load(): FaultRuleSet {
    const rows = this.ctx.stmt<FaultRuleRow>('SELECT id, source, assigned_id, definition, seen, hits, first_hit_at FROM fault_rules ORDER BY pos').all();
    // Column types are SQLite's affinities, not guarantees: values pass through as found (cast),
    // and the registry checks each one.
    const rules = rows.map((r) => ({
      id: r.id,
      source: r.source,
      assignedId: r.assigned_id === 1,
      definition: r.definition,
      seen: r.seen,
      hits: r.hits,
      firstHitAt: r.first_hit_at,
    }) as StoredFaultRule);
    const nextId = readMeta(this.ctx, NEXT_ID_KEY);
    return { rules, nextId: Number.isSafeInteger(nextId) && (nextId as number) > 0 ? (nextId as number) : 1 };
  }

  save(set: FaultRuleSet): void {
    set.rules.forEach(checkRule);
    this.ctx.transaction(() => {
      this.ctx.stmt('DELETE FROM fault_rules').run();
      set.rules.forEach((rule, pos) => this.insert(rule, pos));
      this.setNextId(set.nextId);
    });
  }

  add(rule: StoredFaultRule, nextId: number): void {
    checkRule(rule);
    this.ctx.transaction(() => {
      const last = this.ctx.pluck<number | null>('SELECT MAX(pos) FROM fault_rules').get();
      this.insert(rule, (last ?? -1) + 1);
      this.setNextId(nextId);
    });
  }

  setCounters(id: string, counters: FaultRuleCounters): void {
    checkCounters(counters);
    this.ctx.stmt('UPDATE fault_rules SET seen = ?, hits = ?, first_hit_at = ? WHERE id = ?').run(counters.seen, counters.hits, counters.firstHitAt, id);
  }

  delete(id: string): boolean {
    return this.ctx.transaction(() => this.ctx.stmt('DELETE FROM fault_rules WHERE id = ?').run(id).changes > 0);
  }

  private insert(rule: StoredFaultRule, pos: number): void {
    try {
      this.ctx
        .stmt('INSERT INTO fault_rules (id, pos, source, assigned_id, definition, seen, hits, first_hit_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(rule.id, pos, rule.source, rule.assignedId ? 1 : 0, rule.definition, rule.seen, rule.hits, rule.firstHitAt);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('EXISTS', `a fault rule with id "${rule.id}" exists already`);
      throw err;
    }
  }

  private setNextId(nextId: number): void {
    count(nextId, 'nextId');
    writeMeta(this.ctx, NEXT_ID_KEY, nextId);
  }
}
