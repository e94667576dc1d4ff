// Public face of the topology package: scenario files, the validated Topology with its lookups,
// the providers' index (IGPEC) and the validator building blocks later scenario sections reuse.
export * from './topology.js';
export * from './scenario.js';
export * from './igpec.js';
export * from './package-paths.js';
export { dialectValidator, DIALECT_FIELDS, type DialectRegistry } from './dialect.js';
export {
  DEFAULT_HARD_CAP_BYTES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_PASSWORD, gestoreValidator, limitsValidator, mailboxValidator,
  ordinaryValidator, TOPOLOGY_KEYS,
} from './topology-schema.js';
export * from './formats.js';
export * from './validate.js';
export { toLdifText, foldLine, attributeLine, escapeDnValue, isSafeString, type LdifEntry, type LdifValue } from './ldif.js';
