// Public face of the fault catalogue: rules as data, their validation, the registry that applies
// them at the engine's points, magic recipients, and the protocol servers' hooks.
export type { FaultAction, FaultAt, FaultMatch, FaultRule, FaultRuleInfo, FaultRuleInput } from './types.js';
export { FAULT_ATS, POINTS, effectOf, type PointSpec } from './points.js';
export { duration, FaultRuleError, parseRule, regex, ruleValidator, type RuleScope } from './schema.js';
export { FaultRegistry, type FaultRegistryOptions } from './registry.js';
export { MAGIC_TAGS, magicRules, splitTag, type MagicTag } from './magic.js';
export { imapFaults, pop3Faults, smtpFaults, type ProtocolFaultsOptions } from './protocol.js';
export { CATALOGUE, type CatalogueEntry } from './catalogue.js';
