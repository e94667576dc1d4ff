// How a scenario run is told: a human report (one line per step and expectation, the details of
// what failed), one JSON document (stable: with a seed and a clock start two runs print the same
// bytes), and JUnit XML for CI dashboards.
import type { ScenarioResult } from './run.js';

/** one scenario: a line per step and expectation, the details of what failed */
export function scenarioText(r: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(`${r.passed ? 'PASS' : 'FAIL'} ${r.name} (${r.file}, ${(r.durationMs / 1000).toFixed(1)} s)`);
  for (const s of r.steps) lines.push(`  ${s.passed ? 'ok  ' : 'FAIL'} step ${s.index}: ${s.summary}${s.detail && (!s.passed || s.summary.startsWith('send')) ? ` — ${s.detail}` : ''}`);
  for (const e of r.expectations) {
    lines.push(`  ${e.passed ? 'ok  ' : 'FAIL'} expect ${e.description}`);
    if (!e.passed) for (const d of e.details) lines.push(`         ${d}`);
  }
  if (r.error) lines.push(`  ERROR ${r.error.split('\n').join('\n        ')}`);
  return `${lines.join('\n')}\n`;
}

export function summaryLine(results: readonly ScenarioResult[]): string {
  const failed = results.filter((r) => !r.passed).length;
  return `${results.length - failed} passed, ${failed} failed\n`;
}

export function textReport(results: readonly ScenarioResult[]): string {
  return `${results.map(scenarioText).join('')}\n${summaryLine(results)}`;
}

/** everything but real durations and message bytes */
export function jsonReport(results: readonly ScenarioResult[]): string {
  const plain = results.map(({ durationMs: _d, mailboxes: _m, ...rest }) => rest);
  return `${JSON.stringify({ passed: results.every((r) => r.passed), scenarios: plain }, null, 2)}\n`;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // control characters are not allowed in XML 1.0
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** one testsuite per scenario, one testcase per step and expectation */
export function junitReport(results: readonly ScenarioResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = (r: ScenarioResult) => r.steps.length + r.expectations.length + (r.error ? 1 : 0);
  const failures = (r: ScenarioResult) => r.steps.filter((s) => !s.passed).length + r.expectations.filter((e) => !e.passed).length;
  out.push(`<testsuites name="pec-testbed scenarios" tests="${results.reduce((n, r) => n + total(r), 0)}" failures="${results.reduce((n, r) => n + failures(r), 0)}" errors="${results.filter((r) => r.error).length}">`);
  for (const r of results) {
    out.push(`  <testsuite name="${xml(r.name)}" file="${xml(r.file)}" tests="${total(r)}" failures="${failures(r)}" errors="${r.error ? 1 : 0}" time="${(r.durationMs / 1000).toFixed(3)}">`);
    for (const s of r.steps) {
      out.push(`    <testcase classname="${xml(r.name)}" name="${xml(`step ${s.index}: ${s.summary}`)}">${s.passed ? '' : `<failure message="${xml(s.detail ?? 'failed')}"/>`}</testcase>`);
    }
    for (const e of r.expectations) {
      out.push(`    <testcase classname="${xml(r.name)}" name="${xml(`expect ${e.description}`)}">${e.passed ? '' : `<failure message="${xml(e.details[0] ?? 'failed')}">${xml(e.details.join('\n'))}</failure>`}</testcase>`);
    }
    if (r.error) out.push(`    <testcase classname="${xml(r.name)}" name="run"><error message="${xml(r.error.split('\n')[0])}">${xml(r.error)}</error></testcase>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
