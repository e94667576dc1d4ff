// Signed PEC receipts per second (buildPecMessage, ricevuta di accettazione, standard dialect) on
// one core, next to raw RSA-2048 signatures per second measured in the same run: the ratio says
// how much of a receipt's cost is the one RSA operation it cannot avoid. Target: > 400 receipts/s.
// Run: npm run bench:sign [-- durationMs]

import { createCa, issueSigner } from '../src/pki/issue.js';
import {
  acceptOriginal, buildPecMessage, extractFacts, readOriginal, seededIds, standard,
  type GestoreIdentity, type PecRequest,
} from '../src/pec/index.js';
import { rawRsaSignaturesPerSecond } from './rsa.js';

async function perSecond(durationMs: number, operation: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await operation();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    await operation();
    count++;
    elapsed = performance.now() - start;
  }
  return count / (elapsed / 1000);
}

const durationMs = Number(process.argv[2] ?? 3000);
const ca = createCa();
const gestore: GestoreIdentity = {
  id: 'alfa',
  name: 'Alfa PEC S.p.A. (TEST)',
  mailDomain: 'pec.alfa.test',
  dialect: standard,
  signer: issueSigner(ca, { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test' }),
};

const original = Buffer.from([
  'From: "Ufficio Protocollo" <protocollo@pec.comune-giardinello.test>',
  'To: mario.rossi@pec.beta.test, cittadino@posta.ordinaria.test',
  'Cc: impresa@pec.beta.test',
  'Subject: Convocazione città #123',
  'Message-ID: <bench@comune-giardinello.test>',
  '',
  'Testo della convocazione.',
  '',
].join('\r\n'));
const identificativo = 'opec21.20260329101530.24680.07.1.42@pec.alfa.test';
const facts = extractFacts(readOriginal(acceptOriginal(original, identificativo).accepted), identificativo,
  (a) => (a.endsWith('@posta.ordinaria.test') ? 'esterno' : 'certificato'));
const request: PecRequest = { kind: 'accettazione', facts, to: facts.mittente };
const ids = seededIds('bench');
let at = Date.UTC(2026, 2, 29, 8, 15, 30);
const receipt = () => buildPecMessage({ gestore, at: at++, ids }, request);

const size = (await receipt()).raw.length;

// The machine is shared: rounds interleave the two measures and each keeps its best, so that a
// burst of someone else's load does not land on one measure only.
const rounds = 3;
const slice = durationMs / rounds;
let rsa = 0;
let receipts = 0;
for (let round = 0; round < rounds; round++) {
  rsa = Math.max(rsa, rawRsaSignaturesPerSecond(slice));
  receipts = Math.max(receipts, await perSecond(slice, receipt));
}

console.log(`accettazione receipt ${size} bytes, best of ${rounds} rounds of ${slice.toFixed(0)} ms per measure, one core`);
console.log(`raw RSA-2048 sha256 (Node)      ${rsa.toFixed(0).padStart(6)}/s`);
console.log(`signed receipts (standard)      ${receipts.toFixed(0).padStart(6)}/s  ${((receipts / rsa) * 100).toFixed(0)}% of raw RSA, ${(1000 / receipts).toFixed(2)} ms each`);
console.log(`target > 400 receipts/s: ${receipts > 400 ? 'met' : 'NOT met'}`);
