// The public entry of the `pec-testbed` package (`import { startTestbed } from 'pec-testbed'`):
// the in-process testbed for tests, its types, and the PEC message library (parse, verify, build)
// that other projects can use on their own. Anything not exported here is internal.

// ---- the testbed ----
export { startTestbed, SERVICES, DEFAULT_PORTS } from './testbed/testbed.js';
export type { Testbed, TestbedOptions, ResetOptions, MailboxInfo, Endpoint, ServiceName } from './testbed/testbed.js';
export { SendRequestError, SubmissionError } from './testbed/send.js';
export type { SendRequest, SendResult, SendAttachment } from './testbed/send.js';
export { WaitTimeoutError } from './testbed/wait.js';
export type { WaitQuery } from './testbed/wait.js';
export type { MessageFilter, TestbedMessage } from './testbed/messages.js';
export type {
  Account, Flow, FlowRecipient, Folder, LogEntry, LogRecord, MessageHit, MessageMeta, MessageRecord, RecipientState, Store,
} from './store/types.js';

// ---- the virtual clock ----
export { VirtualClock, parseDuration } from './clock/clock.js';
export type { Clock, VirtualClockOptions } from './clock/clock.js';
export { ClockRangeError, EARLIEST_TIME, LATEST_TIME } from './clock/range.js';

// ---- fault rules (tb.faults, scenario `faults:`, POST /api/v1/faults) ----
export { FaultRegistry, FaultRuleError, MAGIC_TAGS, FAULT_ATS } from './faults/index.js';
export type { FaultAction, FaultAt, FaultMatch, FaultRule, FaultRuleInfo, FaultRuleInput, MagicTag } from './faults/index.js';

// ---- topology and the providers' index ----
export { loadScenarioFile } from './topology/scenario.js';
export type { Scenario } from './topology/scenario.js';
export type { Topology, GestoreConfig, OrdinaryDomain } from './topology/topology.js';
export { buildIndex, toLdif } from './topology/igpec.js';
export type { ProviderIndex, ProviderEntry } from './topology/igpec.js';

// ---- the PEC message library: pure, no I/O ----
export * from './pec/index.js';
export { parsePec, nestedMessages } from './pec/parse.js';
export type { ParsedPec, SignedParts, EmbeddedMessage, AttachmentInfo, CorrelationIds } from './pec/parse.js';
export { verifyPec } from './pec/verify.js';
export type { PecVerdict, VerifyPecOptions, PecCheck, SignatureReport, ProviderIndex as VerifierIndex, ProviderIndexEntry as VerifierIndexEntry } from './pec/verify.js';
export { readProviderIndex } from './pec/verify-index.js';
export type { PecVariant } from './pec/parse-kind.js';
