// The UI in real headless Chromium: send a PEC from the compose page, watch the flow view fill in
// live (SSE), open a receipt from its arrow, switch language; no console errors or CSP violations
// anywhere. Saves a screenshot of the flow view to test-output/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { repoRoot } from '../helpers/cli.js';
import { startTestTestbed } from '../helpers/testbed.js';

const A = 'protocollo@pec.comune-giardinello.test';
const B = 'protocollo@pec.comune-mineo.test';
const OUTPUT = join(repoRoot, 'test-output');

let tb: Testbed;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  tb = await startTestTestbed({ clock: { start: '2026-03-02T09:00:00+01:00' } });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'it-IT', timezoneId: 'Europe/Rome' });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('console', (message) => {
    // the sandbox refusing the test's hostile mail script is the expected outcome, not a UI error
    if (message.type() === 'error' && !/^Blocked script execution in '[^']*\/ui\/messages\/\d+\/html/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // an event stream closed by navigating away is not a failure
    if (!request.url().includes('/api/v1/events')) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await tb?.stop();
});

async function compose(to: string, subject: string): Promise<void> {
  await page.goto(`${tb.url}/ui/compose`);
  await page.selectOption('#compose-from', A);
  if (to) await page.fill('#compose-to', to);
  await page.fill('#compose-subject', subject);
  await page.fill('#compose-text', 'Messaggio inviato dal browser.');
  await Promise.all([page.waitForURL(/\/ui\/flows\/[^/]+$/), page.click('#compose-send')]);
}

const step = (key: string) => `#sequence g.step[data-step="${key}"]`;

/**
 * Leaving a page while a mail frame still loads aborts the frame's request, which the last test
 * counts as a failure (seen under load after the language switch reloaded the receipt page).
 */
async function mailFramesLoaded(): Promise<void> {
  for (const frame of await page.locator('iframe.mail-html').elementHandles()) await (await frame.contentFrame())!.waitForLoadState('load');
}

describe('the UI in Chromium', () => {
  it('sends from the compose page and draws the whole journey', async () => {
    await compose(B, 'Prova dal browser');
    for (const event of ['accesso:ricevuto', 'accesso:accettazione', 'relay:busta', 'ricezione:presa-in-carico', 'consegna:avvenuta-consegna', 'ricezione:ricevuta-avvenuta-consegna']) {
      await page.waitForSelector(step(event));
    }
    expect(await page.locator('.flow-summary [data-address="protocollo@pec.comune-mineo.test"]').getAttribute('data-state')).toBe('delivered');
    expect(await page.locator('#steps li').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('#steps').innerText()).toContain('Ricevuta di accettazione');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'flow-view.png'), fullPage: true });
  });

  it('switches language: the explanations follow', async () => {
    const url = page.url();
    await Promise.all([page.waitForURL(url), page.click('#lang-switch')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.waitForSelector(step('ricezione:ricevuta-avvenuta-consegna'));
    const text = await page.locator('#steps').innerText();
    expect(text).toContain('Acceptance receipt');
    expect(text).toContain("The sender hands the message to its provider's access point");
    expect(await page.locator('#sequence').innerHTML()).toContain('Access point');
  });

  it('opens the delivery receipt from its arrow: daticert table and signature verdict', async () => {
    await Promise.all([
      page.waitForURL(/\/ui\/messages\/\d+$/),
      page.click(`#sequence a.step-link:has(g.step[data-step="ricezione:ricevuta-avvenuta-consegna"])`),
    ]);
    expect(await page.locator('#signature .verdict').innerText()).toBe('Valid signature');
    const daticert = await page.locator('#daticert').innerText();
    expect(daticert).toContain('avvenuta-consegna');
    expect(daticert).toContain(B);
    const mailFrame = page.locator('iframe.mail-html').first();
    expect(await mailFrame.getAttribute('sandbox')).toBe('');
    await mailFramesLoaded();
    // back to Italian for the rest: the page loads again, and its frame with it
    await Promise.all([page.waitForURL(page.url()), page.click('#lang-switch')]);
    expect(await page.getAttribute('html', 'lang')).toBe('it');
    await mailFramesLoaded();
  });

  it('updates live: a silent recipient, then the 12 h preavviso arrives while the page stays open', async () => {
    await page.goto(`${tb.url}/ui/compose`);
    await page.selectOption('#magic-address', B);
    await page.selectOption('#magic-tag', '+silenzio');
    await page.click('#magic-add');
    expect(await page.inputValue('#compose-to')).toBe('protocollo+silenzio@pec.comune-mineo.test');
    await page.selectOption('#compose-from', A);
    await page.fill('#compose-subject', 'Destinatario silenzioso');
    await Promise.all([page.waitForURL(/\/ui\/flows\/[^/]+$/), page.click('#compose-send')]);
    await page.waitForSelector(step('ricezione:silenzio'));
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
    });
    expect(await page.locator(step('timer:preavviso-12h')).count()).toBe(0);
    await page.click('button.advance[data-by="12h"]');
    await page.waitForSelector(step('timer:preavviso-12h'));
    // drawn from the event stream, not by reloading the page
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(await page.locator('.flow-summary [data-address="protocollo+silenzio@pec.comune-mineo.test"]').getAttribute('data-state')).toBe('preavviso');
  });

  it('shows mail HTML in a sandboxed frame: rendered, opaque origin, its scripts never run', async () => {
    const sent = await tb.send({
      from: A, to: B, subject: 'HTML ostile', text: 'testo',
      html: '<p id="saluto">Gentile <b>utente</b></p><script>document.body.dataset.ran = "yes"; parent.document.title = "pwned";</script>',
    });
    const [receipt] = await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', identificativo: sent.identificativo! });
    await page.goto(`${tb.url}/ui/messages/${receipt.id}`);
    const frame = await (await page.waitForSelector('iframe.mail-html[src*="?at="]')).contentFrame();
    expect(frame).not.toBeNull();
    await frame!.waitForSelector('#saluto');
    expect(await frame!.evaluate(() => [window.origin, document.body.dataset.ran ?? null])).toEqual(['null', null]);
    expect(await page.title()).not.toBe('pwned');
  });

  it('had no console errors, CSP violations or failed requests', () => {
    expect(problems).toEqual([]);
  });
});
