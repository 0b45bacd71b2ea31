/**
 * Drives the built documentation site (docs/site/, from `npm run docs`) in headless Chromium:
 * the index and every guide load without console errors, every internal link of the site resolves
 * (page and fragment), and the browser example trains and renders its confusion matrix.
 * Screenshots go to docs/site/screenshots/. Chromium: /usr/bin/chromium or $CHROMIUM_PATH.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, type BrowserContext, type Page } from './playwright.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const site = path.join(repoRoot, 'docs/site');
const shots = path.join(site, 'screenshots');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const EXAMPLE = 'media/flowsentry-browser-example.html';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return htmlFiles(p);
    return e.name.endsWith('.html') ? [p] : [];
  });
}

const ids = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let s = ids.get(file);
  if (!s) {
    s = new Set([...readFileSync(file, 'utf8').matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1] ?? ''));
    ids.set(file, s);
  }
  return s;
}

/** Every relative href/src in the site's HTML must name an existing file, and its #fragment an existing id. */
function brokenLinks(): string[] {
  const broken: string[] = [];
  for (const file of htmlFiles(site)) {
    const html = readFileSync(file, 'utf8');
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const ref = m[1] ?? '';
      if (ref === '' || /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(ref)) continue; // external, data:, mailto:
      const [pathPart = '', fragment] = ref.split('#', 2);
      const target = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart.split('?')[0] ?? ''));
      const where = path.relative(site, file);
      if (!target.startsWith(site) || !existsSync(target)) {
        broken.push(`${where}: ${ref} (no such file)`);
      } else if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) {
        broken.push(`${where}: ${ref} (no element with id "${fragment}")`);
      }
    }
  }
  return broken;
}

describe.skipIf(!existsSync(path.join(site, 'index.html')))('documentation site in headless Chromium', () => {
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    server = await serve(site);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    profile = mkdtempSync(path.join(tmpdir(), 'flowsentry-chromium-'));
    context = await launchChromium(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens `page` and collects console errors, uncaught exceptions and failed requests. */
  async function open(rel: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    const response = await page.goto(base + rel, { waitUntil: 'load' });
    if (!response || response.status() >= 400) throw new Error(`${rel}: HTTP ${response?.status() ?? 'no response'}`);
    return { page, errors };
  }

  const guides = existsSync(path.join(site, 'documents'))
    ? readdirSync(path.join(site, 'documents')).filter((f) => f.endsWith('.html')).map((f) => `documents/${f}`)
    : [];
  const pages = ['index.html', 'modules.html', ...guides];

  test('the site has the landing page, the guides and the API reference of every capability', () => {
    expect(guides.length).toBeGreaterThan(0);
    const modules = readdirSync(path.join(site, 'modules')).map((f) => f.replace(/\.html$/, ''));
    for (const capability of ['layers', 'optim', 'losses', 'sampling', 'distill', 'data', 'metrics', 'models']) {
      expect(modules, `API module ${capability}`).toContain(capability);
    }
  });

  test.each(pages)('%s loads without console errors', async (rel) => {
    const { page, errors } = await open(rel);
    await page.waitForLoadState('networkidle');
    await expect(page.locator('.tsd-navigation').first().isVisible()).resolves.toBe(true);
    // typedoc fills the sidebar from assets/navigation.js: wait until it has rendered the guides.
    await page.locator('#tsd-nav-container a[href*="documents/"]').first().waitFor({ state: 'attached', timeout: 15_000 });
    const name = rel.replace(/[/.]/g, '_').replace(/_html$/, '');
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
    await page.close();
    expect(errors).toEqual([]);
  });

  test('every internal link and fragment in the site resolves', () => {
    expect(brokenLinks()).toEqual([]);
  });

  test('the index links every guide, and the browser example', () => {
    const html = readFileSync(path.join(site, 'index.html'), 'utf8');
    for (const g of guides) expect(html, `index links ${g}`).toContain(`href="${g}`);
    expect(html).toContain(`href="${EXAMPLE}"`);
  });

  test('the browser example trains a detector and renders its confusion matrix', async () => {
    const { page, errors } = await open(EXAMPLE);
    await page.waitForSelector('html[data-state="done"], html[data-state="error"]', { state: 'attached', timeout: 240_000 });
    const status = await page.locator('#status').textContent();
    await page.screenshot({ path: path.join(shots, 'browser-example.png'), fullPage: true });
    expect(status).toMatch(/^done: test accuracy/);
    const labels = await page.locator('#report tbody tr').count();
    expect(labels).toBeGreaterThanOrEqual(2);
    // One cell per (true, predicted) pair (confusionMatrixSvg), counts summing to the test-set size.
    const counts = await page
      .locator('#confusion svg rect.cell')
      .evaluateAll((rects) => rects.map((r) => Number(/: (\d+) \(/.exec(r.textContent ?? '')?.[1] ?? NaN)));
    expect(counts.length).toBe(labels * labels);
    const support = await page.locator('#report tbody tr td:last-child').evaluateAll((tds) => tds.reduce((s, td) => s + Number(td.textContent), 0));
    expect(counts.reduce((s, c) => s + c, 0)).toBe(support);
    const log = (await page.locator('#log').textContent()) ?? '';
    expect(log).toContain('backend cpu');
    await page.close();
    expect(errors).toEqual([]);
  });
});
