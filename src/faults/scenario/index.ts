// Scenario files that run: topology + fault rules + steps + expected outcome, loaded, run against
// a fresh testbed and reported (text, JSON, JUnit).
export { loadScenarioSpec, parseScenarioSpec, type ScenarioSections, type ScenarioSpec } from './load.js';
export { runScenario, type RunOptions, type ScenarioResult, type StepResult, type DumpedMessage } from './run.js';
export { jsonReport, junitReport, scenarioText, summaryLine, textReport } from './report.js';
export type { Expectation, MessageExpectation, Step } from './format.js';
export type { ExpectationResult, SendRecord } from './expect.js';
