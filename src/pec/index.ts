// The PEC message library's public surface: one line per module. Builders (kinds, dialects, time,
// identificativo, daticert, original, notice, build, smime) and the verifier's modules.

export * from './types.js';
export * from './kinds.js';
export * from './dialects.js';
export * from './time.js';
export * from './ids.js';
export * from './identificativo.js';
export * from './daticert.js';
export * from './original.js';
export * from './notice.js';
export * from './breve.js';
export * from './dati-certificazione.js';
export * from './envelope.js';
export * from './smime.js';
export * from './build.js';
export * from './parse.js';
export * from './verify.js';
export * from './verify-index.js';
