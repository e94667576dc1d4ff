import { buildPecMessage } from '../../src/pec/index.js';
import { acceptedSample, context, createWorkspace, parse, DIALECTS } from './helpers.js';
const ws = createWorkspace();
const s = acceptedSample();
const { raw } = await buildPecMessage(context(ws.alfa(DIALECTS[0][1])), { kind: 'posta-certificata', facts: s.facts, to: 'mario.rossi@pec.beta.test', original: s.accepted });
const m = await parse(raw);
console.log(m.attachments.map(a => [a.filename, a.contentType, a.contentDisposition, a.content.length]));
console.log(m.text?.slice(0, 2000));
ws.cleanup();
