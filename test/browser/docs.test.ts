/**
 * The interactive documentation in a real browser: Debian's Chromium (installed by .ci/run) drives
 * /docs of the service started as an operator would, and makes a "try it out" request through it.
 * Run with `npm run test:browser`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type ApiProcess, startLocalApi } from '../../scripts/api-process.ts';

const ROOT = join(import.meta.dirname, '../..');
const HOST = '127.0.0.1';
const API_KEY = 'docs-browser-test-key';
const SCREENSHOT = '/tmp/docs.png';

/** Hosts the page may talk to: the service itself, nothing on the internet. */
const LOCAL_HOSTS = new Set([HOST, 'localhost', '[::1]']);

describe('GET /docs in Chromium', () => {
  let dataDir: string;
  let api: ApiProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'payments-docs-'));
    api = await startLocalApi({
      root: ROOT,
      dataDir,
      apiKeys: `docs:${API_KEY}`,
      host: HOST,
      readyPath: '/openapi.json',
    });

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 1300 } });
    context.on('request', (request) => requested.push(request.url()));
    page = await context.newPage();
    // CSP violations and failed loads show up here.
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await api?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('renders the three endpoints', async () => {
    assert.ok(api);
    await page.goto(`${api.url}/docs`);

    await page.locator('.opblock').first().waitFor();
    const summaries = await page.locator('.opblock-summary').allInnerTexts();
    const flat = summaries.map((s) => s.replace(/\s+/g, ' '));
    assert.ok(
      flat.some((s) => s.includes('POST /api/customer')),
      flat.join('\n'),
    );
    assert.ok(
      flat.some((s) => s.includes('POST /api/payments')),
      flat.join('\n'),
    );
    assert.ok(
      flat.some((s) => s.includes('GET /api/payments/{customer_id}')),
      flat.join('\n'),
    );
    assert.equal(await page.locator('.opblock').count(), 3);
  });

  it('registers a customer with "try it out" and shows the 201 answer', async () => {
    await authorize(page, API_KEY);
    const operation = page.locator('#operations-customers-registerCustomer');
    await operation.locator('.opblock-summary').click();

    // "Try it out" is on from the start: the body is editable, prefilled with the example.
    const body = operation.locator('textarea.body-param__text');
    assert.match(await body.inputValue(), /tok_visa/);
    const email = `docs-${randomUUID()}@example.com`;
    await body.fill(JSON.stringify({ email, stripeCreditCardToken: 'tok_visa' }));
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/customer'));
    await operation.locator('button.execute').click();

    // The key entered in "Authorize" goes out through the document's bearer scheme.
    assert.equal((await sent).headers().authorization, `Bearer ${API_KEY}`);

    const live = operation.locator('.live-responses-table');
    const status = live.locator('.response .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    assert.equal((await status.textContent())?.trim(), '201');
    const shown = await live.locator('.response-col_description pre').first().textContent();
    const answer: unknown = JSON.parse(shown ?? '');
    assert.ok(typeof answer === 'object' && answer !== null && 'stripeCustomerID' in answer);
    assert.match(String(answer.stripeCustomerID), /^cus_/);

    // The operation from its title down to the live answer.
    await operation.evaluate((element) => element.scrollIntoView());
    await page.screenshot({ path: SCREENSHOT });
  });

  it('sent no request to any host but the service, and hit no CSP or script error', () => {
    assert.ok(requested.length > 5, requested.join('\n'));
    const elsewhere = requested.filter((url) => !LOCAL_HOSTS.has(new URL(url).hostname));
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(consoleErrors, []);
  });
});

/** Enters the API key in the docs' "Authorize" dialog, as a user would. */
async function authorize(page: Page, apiKey: string): Promise<void> {
  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input').first().fill(apiKey);
  await dialog.locator('button.authorize').click();
  await dialog.locator('button.btn-done').click();
}
