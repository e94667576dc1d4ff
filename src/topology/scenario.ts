// Scenario files: YAML in, a validated Scenario out, or a ScenarioError listing every problem with
// file, line and path of the bad field. This module owns the top level of the file; the topology
// part is in topology-schema.ts, and later sections (faults, steps, expect) plug in through
// `extraSections` instead of being hard-coded here.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { dialects as libraryDialects } from '../pec/dialects.js';
import type { DialectRegistry } from './dialect.js';
import { createTopology, type Topology } from './topology.js';
import { readTopology, TOPOLOGY_KEYS } from './topology-schema.js';
import { Ctx, formatPath, type Issue, optional, type PathSegment, readObject, type RawIssue, string, withDefault } from './validate.js';

export interface SectionScope {
  /** the scenario's topology, or undefined when the topology part itself is invalid */
  topology: Topology | undefined;
  file: string;
}

/** Validates one extra top-level section (`faults:`, `steps:`, ...), reporting through ctx. */
export type SectionValidator<T> = (value: unknown, ctx: Ctx, scope: SectionScope) => T | undefined;
export type SectionValidators = Record<string, SectionValidator<unknown>>;
export type SectionsOf<X extends SectionValidators> = {
  [K in keyof X]?: X[K] extends SectionValidator<infer T> ? T : never;
};

export interface ScenarioOptions<X extends SectionValidators = Record<string, never>> {
  /** further top-level keys and their validators; absent keys give undefined sections */
  extraSections?: X;
  /** named dialects a gestore may use; default: the PEC library's */
  dialects?: DialectRegistry;
}

export interface Scenario<S = Record<string, never>> {
  name: string;
  description: string | undefined;
  /** the file it was read from, as given */
  file: string;
  topology: Topology;
  /** the validated extra sections, by key */
  sections: S;
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly issues: Issue[],
  ) {
    super(formatIssues(file, issues));
    this.name = 'ScenarioError';
  }
}

/** `bad.yaml: 2 problems` then one line per issue: `  bad.yaml:12:9 gestori[1].domains[0]: expected ...` */
export function formatIssues(file: string, issues: readonly Issue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.line !== undefined ? `${file}:${issue.line}:${issue.column ?? 1}` : file;
    return `  ${where} ${issue.path || '(top level)'}: ${issue.message}`;
  });
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return `invalid scenario ${file}: ${count}\n${lines.join('\n')}`;
}

const BASE_KEYS = ['name', 'description', ...TOPOLOGY_KEYS] as const;

export function parseScenario<X extends SectionValidators = Record<string, never>>(
  text: string,
  fileName: string,
  options: ScenarioOptions<X> = {},
): Scenario<SectionsOf<X>> {
  const { doc, lineCounter } = readScenarioYaml(text, fileName);

  const extra = options.extraSections ?? ({} as X);
  const clash = Object.keys(extra).filter((key) => (BASE_KEYS as readonly string[]).includes(key));
  if (clash.length > 0) throw new Error(`extraSections cannot redefine ${clash.join(', ')}`);

  const ctx = new Ctx();
  const root = readObject(scenarioToJs(doc, lineCounter, fileName), ctx, {
    name: withDefault(string({ maxLength: 200 }), () => basename(fileName, extname(fileName))),
    description: optional(string({ nonEmpty: false })),
  }, { allow: [...TOPOLOGY_KEYS, ...Object.keys(extra)] });

  let topology: Topology | undefined;
  const sections: Record<string, unknown> = {};
  if (root) {
    const data = readTopology(root.raw, ctx, options.dialects ?? libraryDialects);
    topology = data && createTopology(data);
    for (const [key, validate] of Object.entries(extra)) {
      const raw = root.raw[key];
      if (raw === undefined || raw === null) continue;
      sections[key] = validate(raw, ctx.at(key), { topology, file: fileName });
    }
  }

  if (ctx.issues.length > 0 || !root || !topology) {
    const issues = ctx.issues.map((raw) => locate(raw, doc.contents, lineCounter));
    // In file order, so the list reads along with the file; sort is stable for issues on one line.
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ScenarioError(fileName, issues);
  }
  return {
    name: root.fields.name!,
    description: root.fields.description,
    file: fileName,
    topology,
    sections: sections as SectionsOf<X>,
  };
}

/**
 * The one way scenario text becomes a YAML document, for every reader of scenario files: with
 * `prettyErrors` (the library's default) an error message quotes the source around it, and for a
 * line of 100,000 nested brackets building that quote exhausts memory and aborts the process.
 */
export function readScenarioYaml(text: string, fileName: string): { doc: Document.Parsed; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    // the parser reports most problems in doc.errors, but a stack overflow may escape it
    throw new ScenarioError(fileName, [{ path: '', message: `YAML syntax: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (doc.errors.length > 0) {
    throw new ScenarioError(fileName, doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { path: '', message: `YAML syntax: ${error.message.split('\n')[0]}`, line, column: col };
    }));
  }
  return { doc, lineCounter };
}

/**
 * Plain data of the document. The alias limit stops "billion laughs" files; it and too deep a
 * nesting throw from the library, which would otherwise escape as a crash instead of an invalid
 * file. The line is the first alias's, the likely culprit of an alias error.
 */
function scenarioToJs(doc: Document.Parsed, lineCounter: LineCounter, fileName: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    let position: number | undefined;
    if (error instanceof ReferenceError) {
      visit(doc, { Alias: (_key, node) => { position = node.range?.[0]; return visit.BREAK; } });
    }
    const where = position === undefined ? {} : (({ line, col }) => ({ line, column: col }))(lineCounter.linePos(position));
    throw new ScenarioError(fileName, [{ path: '', message: `YAML: ${(error as Error).message.split('\n')[0]}`, ...where }]);
  }
}

export function loadScenarioFile<X extends SectionValidators = Record<string, never>>(
  path: string,
  options: ScenarioOptions<X> = {},
): Scenario<SectionsOf<X>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioError(path, [{ path: '', message: `cannot read the scenario file: ${reason}` }]);
  }
  return parseScenario(text, path, options);
}

/**
 * Line and column of the deepest node of the path that exists in the source: the key itself for
 * a mapping entry (a missing key points at its parent mapping), the item for a list entry.
 */
function locate(raw: RawIssue, contents: unknown, lineCounter: LineCounter): Issue {
  const issue: Issue = { path: formatPath(raw.segments), message: raw.message };
  let node = contents as YamlNode | null | undefined;
  let position = node?.range?.[0];
  for (const segment of raw.segments as PathSegment[]) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      const key = pair.key as YamlNode | null;
      position = key?.range?.[0] ?? position;
      node = pair.value as YamlNode | null;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment] as YamlNode | null;
      position = node?.range?.[0] ?? position;
    } else {
      break;
    }
  }
  if (position !== undefined) {
    const { line, col } = lineCounter.linePos(position);
    issue.line = line;
    issue.column = col;
  }
  return issue;
}
