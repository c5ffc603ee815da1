/**
 * The docs in a real browser (Debian's chromium through playwright-core), against the built
 * server with embedded storage: every page reached by links from the catalog loads with no
 * console or page error (CSP violations included) and every anchor a link points to exists;
 * each page type has no serious or critical accessibility violation (axe), light and dark;
 * a contract built to inject script runs none; search, history, diff and the service map work
 * as a reader uses them. Screenshots of each page type go to test-output/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, chromiumPath } from '../helpers/browser.js';
import { CORPUS_MISSING, corpusPath, corpusPresent } from '../helpers/corpus.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { HOSTILE } from './hostile.js';

if (browserMissing) console.warn(browserMissing);
if (!corpusPresent) console.warn(`${CORPUS_MISSING}: the browser tests run on specs/ only`);

/** One page of each type, for axe and the screenshots. */
const PAGE_TYPES: Record<string, string> = {
  catalog: '/',
  contract: '/docs/orders/latest',
  message: '/docs/orders/latest/channels/orderPlaced/messages/OrderPlaced',
  history: '/docs/orders/history',
  diff: '/docs/orders/diff?from=1&to=2',
  map: '/docs/map',
  search: '/search?q=sku',
  login: '/login',
};
const SHOTS = 'test-output/screenshots';
const MAX_PAGES = 1500;

describe.skipIf(!!browserMissing)('the docs in a real browser', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess();
    const register = async (name: string, body: string) => {
      const res = await fetch(`${server.url}/v1/contracts/${name}/versions`, { method: 'POST', body, headers: { 'content-type': 'application/yaml' } });
      expect([name, res.status]).toEqual([name, 201]);
    };
    const orders = readFileSync('specs/orders.yaml', 'utf8');
    await register('orders', orders);
    // A compatible second version: an optional property added to OrderPlaced's payload.
    await register('orders', orders.replace('        couponCode: { type: string }\n', '        couponCode: { type: string }\n        giftNote: { type: string, maxLength: 200 }\n'));
    for (const spec of ['payments', 'notifications']) await register(spec, readFileSync(`specs/${spec}.yaml`, 'utf8'));
    await register('evil', HOSTILE);
    if (corpusPresent) {
      for (const [name, file] of [
        ['slack-rtm', 'v3/slack-rtm-asyncapi.yml'],
        ['slack-rtm-v2', 'v2.6/slack-rtm.yml'],
        ['streetlights', 'v3/streetlights-kafka-asyncapi.yml'],
        ['streetlights-v2', 'v2.6/streetlights-kafka.yml'],
      ]) await register(name!, readFileSync(corpusPath(file!), 'utf8'));
    }
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
    mkdirSync(SHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  /** A fresh page that records console errors and uncaught errors. */
  async function newPage(options: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    return { page, errors };
  }
  const close = (page: Page) => page.context().close();

  const crawlable = (url: URL) =>
    url.origin === new URL(server.url).origin && !url.pathname.startsWith('/docs/assets/') && (url.pathname === '/' || url.pathname.startsWith('/docs/') || url.pathname === '/search' || url.pathname === '/login');

  it('every page reached from the catalog loads without errors, and every anchor a link points to exists', async () => {
    const start = new URL('/', server.url).href;
    const queue = [start];
    const seen = new Set(queue);
    const ids = new Map<string, Set<string>>();
    const links: Array<{ from: string; to: URL }> = [];
    const problems: string[] = [];
    const workers = Array.from({ length: 3 }, async () => {
      const { page, errors } = await newPage();
      for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
        errors.length = 0;
        const res = await page.goto(url, { waitUntil: 'load' });
        if (res?.status() !== 200) problems.push(`${url}: status ${res?.status()}`);
        ids.set(url, new Set(await page.$$eval('[id]', (els) => els.map((e) => e.id))));
        // getAttribute, not .href: an SVG link's href is not a string.
        for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''))) {
          const to = new URL(href, url);
          if (!crawlable(to)) continue;
          links.push({ from: url, to });
          const target = to.href.split('#')[0]!;
          if (!seen.has(target) && seen.size < MAX_PAGES) {
            seen.add(target);
            queue.push(target);
          }
        }
        problems.push(...errors.map((e) => `${url}: ${e}`));
        // A worker that found its queue empty while others still load pages waits for their links.
        if (queue.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      await close(page);
    });
    await Promise.all(workers);
    console.log(`crawled ${ids.size} pages, ${links.length} links`);
    expect(ids.size).toBeGreaterThan(corpusPresent ? 60 : 20);
    for (const { from, to } of links) {
      if (!to.hash) continue;
      const target = ids.get(to.href.split('#')[0]!);
      const raw = to.hash.slice(1);
      // The browser looks for the id as written, then percent-decoded.
      if (target && !target.has(raw) && !target.has(decodeURIComponent(raw))) problems.push(`${from}: link to ${to.href} has no target`);
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it.each(Object.entries(PAGE_TYPES))('%s: no serious or critical accessibility violation, light and dark; screenshots at 1280 and 360 px', async (type, path) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [1280, 360]) {
        const { page, errors } = await newPage({ colorScheme, width });
        const res = await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
        expect(res?.status()).toBe(200);
        await page.screenshot({ path: `${SHOTS}/${type}-${colorScheme}-${width}.png`, fullPage: true });
        if (width === 1280) {
          const { violations } = await new AxeBuilder({ page }).analyze();
          const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
          expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        }
        expect(errors).toEqual([]);
        await close(page);
      }
    }
  }, 120_000);

  it('runs no script of a contract built to inject one, and offers no javascript: link', async () => {
    for (const path of ['/docs/evil/latest', '/docs/evil/latest/channels/c/messages/M', '/']) {
      const { page } = await newPage();
      const res = await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
      expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
      await page.hover('body');
      expect(await page.evaluate(() => (globalThis as unknown as { __injected?: number }).__injected)).toBeUndefined();
      expect(await page.$$eval('a', (as) => as.filter((a) => (a as unknown as { href: string }).href.toLowerCase().startsWith('javascript:')).length)).toBe(0);
      expect(await page.$$eval('script, iframe, img', (els) => els.length)).toBe(0);
      await close(page);
    }
  });

  it('search from the catalog finds a field by name and opens its message page at the property', async () => {
    const { page, errors } = await newPage();
    await page.goto(server.url, { waitUntil: 'load' });
    await page.getByLabel(/search/i).fill('sku');
    await Promise.all([page.waitForURL(/\/search\?q=sku/), page.getByLabel(/search/i).press('Enter')]);
    const result = page.locator('a[href*="/messages/OrderPlaced#"][href*="sku"]').first();
    await Promise.all([page.waitForURL(/\/messages\/OrderPlaced#/), result.click()]);
    const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
    expect(id).toMatch(/sku$/);
    expect(await page.locator(`[id="${id}"]`).isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await close(page);
  });

  it('history lists both versions and its diff link shows the added property, marked in the side-by-side view', async () => {
    const { page } = await newPage();
    await page.goto(new URL('/docs/orders/history', server.url).href, { waitUntil: 'load' });
    await expect(page.locator('a[href="/docs/orders/1"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('a[href="/docs/orders/2"]').count()).resolves.toBeGreaterThan(0);
    await Promise.all([page.waitForURL(/\/docs\/orders\/diff\?from=1&to=2/), page.locator('a[href*="diff?from=1&to=2"]').first().click()]);
    expect(await page.textContent('main')).toContain('giftNote');
    // The added line, marked as added in the side-by-side view.
    expect(await page.locator('.added, ins, [data-change="added"]', { hasText: 'giftNote' }).count()).toBeGreaterThan(0);
    await close(page);
  });

  it('the diff form compares the two versions picked in its selects', async () => {
    const { page } = await newPage();
    await page.goto(new URL('/docs/orders/diff', server.url).href, { waitUntil: 'load' });
    await page.getByLabel(/^from/i).selectOption('2');
    await page.getByLabel(/^to/i).selectOption('1');
    await Promise.all([page.waitForURL(/from=2/), page.locator('form button[type="submit"], form input[type="submit"]').first().click()]);
    const url = new URL(page.url());
    expect([url.searchParams.get('from'), url.searchParams.get('to')]).toEqual(['2', '1']);
    expect(await page.textContent('main')).toContain('giftNote');
    await close(page);
  });

  it('the service map links an address to the channel that uses it', async () => {
    const { page } = await newPage();
    await page.goto(new URL('/docs/map', server.url).href, { waitUntil: 'load' });
    expect(await page.locator('main svg').count()).toBeGreaterThan(0);
    const node = page.locator('svg a', { hasText: 'orders.placed.v1' }).first();
    await Promise.all([page.waitForURL(/\/docs\/[^/]+\/latest#/), node.click()]);
    const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
    expect(await page.locator(`[id="${id}"]`).count()).toBe(1);
    await close(page);
  });
});
