// The gestori of design.md's default topology as certificate requests, for code that issues a PKI
// without loading a scenario (the PKI's own tests). The CLI derives them from the scenario file.

import type { GestoreCertRequest } from './issue.js';

export const DEFAULT_GESTORI: readonly GestoreCertRequest[] = Object.freeze([
  { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test', domains: ['pec.comune-giardinello.test'] },
  { id: 'beta', name: 'Beta Certificata S.r.l. (TEST)', mailDomain: 'pec.beta.test', domains: ['pec.comune-mineo.test'] },
]);
