// The server-rendered pages over HTTP: a strict CSP on every page, message content escaped,
// mail HTML only in a sandboxed iframe with its own CSP, search and badges, the language switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { startTestTestbed } from '../helpers/testbed.js';
import { A, B, curl, enc } from '../api/helpers.js';

let tb: Testbed;
let receiptId: number;
let bustaId: number;

const EVIL_SUBJECT = 'Bilancio <script>alert("x")</script> & "soci"';
const EVIL_HTML = '<p onclick="alert(1)">Gentile <b>utente</b></p><script>parent.document.title="pwned"</script><img src="https://tracker.example/p.gif">';

beforeAll(async () => {
  tb = await startTestTestbed();
  const sent = await tb.send({ from: A, to: B, subject: EVIL_SUBJECT, text: 'testo', html: EVIL_HTML });
  [{ id: receiptId }] = await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', identificativo: sent.identificativo! });
  [{ id: bustaId }] = tb.messages({ mailbox: B, identificativo: sent.identificativo! });
});
afterAll(async () => {
  await tb?.stop();
});

const get = (path: string, headers: string[] = []) => curl([...headers.flatMap((h) => ['-H', h]), `${tb.url}${path}`]);

describe('every page', () => {
  it('carries a strict CSP: scripts and styles from this origin only, nothing inline, no framing', async () => {
    for (const path of ['/ui/', `/ui/mailboxes/${enc(A)}`, `/ui/messages/${receiptId}`, '/ui/flows', `/ui/flows/${receiptId}`, '/ui/compose', '/ui/controls', '/ui/nowhere']) {
      const res = await get(path);
      const csp = res.headers['content-security-policy'];
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      const html = res.body.toString();
      expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      expect(html, path).not.toMatch(/\sstyle=/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('/ redirects to the UI; an unknown page is a 404 page', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/ui/');
    expect((await get('/ui/nowhere')).status).toBe(404);
    expect((await get('/ui/messages/999999')).status).toBe(404);
    expect((await get(`/ui/mailboxes/${enc('ghost@pec.alfa.test')}`)).status).toBe(404);
  });

  it('a malformed percent-escape in the path is a 400 page, as in the API, not a 500', async () => {
    const res = await get('/ui/mailboxes/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.toString()).toContain('<h1>');
  });
});

describe('mailboxes', () => {
  it('lists the mailboxes of every gestore and of the ordinary domain, with passwords', async () => {
    const html = (await get('/ui/')).body.toString();
    expect(html).toContain('Alfa PEC S.p.A. (TEST)');
    expect(html).toContain('Beta Certificata S.r.l. (TEST)');
    expect(html).toContain('posta.ordinaria.test');
    expect(html).toContain(`/ui/mailboxes/${enc(A)}`);
  });

  it('shows messages with kind badges, unread state, escaped subjects, and searches', async () => {
    const html = (await get(`/ui/mailboxes/${enc(A)}`)).body.toString();
    expect(html).toContain('data-kind="accettazione"');
    expect(html).toContain('data-kind="avvenuta-consegna"');
    expect(html).toContain('class="unread"');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;soci&quot;');
    const filtered = (await get(`/ui/mailboxes/${enc(A)}?kind=accettazione`)).body.toString();
    expect(filtered).toContain('data-kind="accettazione"');
    expect(filtered).not.toContain('data-kind="avvenuta-consegna"');
    const none = (await get(`/ui/mailboxes/${enc(A)}?q=inesistente`)).body.toString();
    expect(none).toContain('Nessun messaggio.');
  });
});

describe('message view', () => {
  it('shows signature verdict, daticert table, original and download link', async () => {
    const html = (await get(`/ui/messages/${receiptId}`)).body.toString();
    expect(html).toContain('Firma valida');
    expect(html).toContain('posta-certificata@pec.beta.test');
    expect(html).toMatch(/<code>tipo<\/code><\/th><td>avvenuta-consegna/);
    expect(html).toContain(`href="/api/v1/messages/${receiptId}/raw"`);
    expect(html).toContain('Messaggio originale (postacert.eml)');
  });

  it('puts mail HTML only in a sandboxed iframe; its response forbids scripts and gives an opaque origin', async () => {
    const page = (await get(`/ui/messages/${bustaId}`)).body.toString();
    const frames = [...page.matchAll(/<iframe class="mail-html" sandbox="" referrerpolicy="no-referrer" src="([^"]+)"/g)].map((m) => m[1]);
    // the busta's own notice, and the original's HTML inside postacert.eml
    expect(frames).toHaveLength(2);
    const frame = frames.find((f) => f.includes('?at='));
    expect(frame).toBeDefined();
    expect(page).not.toContain('parent.document.title');
    const src = frame!.replace(/&amp;/g, '&');
    const inner = await get(src);
    expect(inner.status).toBe(200);
    const csp = inner.headers['content-security-policy'];
    expect(csp).toMatch(/^sandbox;/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('allow-scripts');
    expect(inner.body.toString()).toContain('Gentile <b>utente</b>');
  });
});

describe('language', () => {
  it('switches with a cookie and comes back to the page', async () => {
    const res = await get(`/ui/lang/en?next=${enc(`/ui/messages/${receiptId}`)}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/ui/messages/${receiptId}`);
    expect(res.headers['set-cookie']).toMatch(/^pec_testbed_lang=en;/);
    const english = (await get(`/ui/messages/${receiptId}`, ['Cookie: pec_testbed_lang=en'])).body.toString();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('Valid signature');
    const offsite = await get('/ui/lang/it?next=https://evil.example/');
    expect(offsite.headers.location).toBe('/ui/');
  });
});
