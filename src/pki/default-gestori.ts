// The gestori the PKI is issued for when no scenario says otherwise: the default topology of
// design.md. Kept here, apart, so that the scenario loader can replace it in one place.

import type { GestoreCertRequest } from './issue.js';

export const DEFAULT_GESTORI: readonly GestoreCertRequest[] = Object.freeze([
  { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test', domains: ['pec.comune-giardinello.test'] },
  { id: 'beta', name: 'Beta Certificata S.r.l. (TEST)', mailDomain: 'pec.beta.test', domains: ['pec.comune-mineo.test'] },
]);
