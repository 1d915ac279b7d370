import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HtmlValidate } from 'html-validate';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's chromium; .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = new URL('../../test-output/screenshots/', import.meta.url);
/** The budget per page, HTML plus its CSS and script (images and framed notices aside). */
export const PAGE_BUDGET_BYTES = 100 * 1024;

const require = createRequire(import.meta.url);
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  // Checkboxes of one group share a name (system=tes&system=careapp), as HTML intends.
  rules: { 'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }] },
});
const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Date fields and the like as a Swedish browser shows them.
      '--lang=sv-SE',
    ],
  });
}

export interface PageCheck {
  name: string;
  url: string;
  bytes: number;
  serious: string[];
  /** Ids of the moderate and minor findings, for the log. */
  minor: string[];
}

/**
 * Watches a browser context for what must never happen on these pages: a script error or
 * a Content-Security-Policy refusal (an inline script or style attribute slipped in).
 */
export function watchForErrors(context: BrowserContext): string[] {
  const problems: string[] = [];
  context.on('page', (page) => watchPage(page, problems));
  for (const page of context.pages()) watchPage(page, problems);
  return problems;
}

/** The latest HTML document each page received, to validate its markup as the server sent it. */
const documents = new WeakMap<Page, Response>();

function watchPage(page: Page, problems: string[]): void {
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document' && response.frame() === page.mainFrame()) documents.set(page, response);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
}

/**
 * Saves a full-page screenshot, runs axe-core in the page (evaluated, not injected as a
 * script tag, so the page's own CSP stays in force) and measures the page's bytes.
 */
export async function checkPage(page: Page, name: string, results: PageCheck[], options: { markup?: boolean } = {}): Promise<PageCheck> {
  await page.waitForLoadState('load');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = new URL(`${name}.png`, SCREENSHOTS).pathname;
  const viewport = page.viewportSize();
  if (viewport && (await page.locator('iframe').count()) > 0) {
    // A full-page screenshot leaves frames below the fold blank: make the viewport the page instead.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height });
    await page.waitForTimeout(200);
    await page.screenshot({ path, scale: 'css' });
    await page.setViewportSize(viewport);
  } else {
    await page.screenshot({ path, fullPage: true, scale: 'css' });
  }
  const bytes = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
      (r) => r.initiatorType !== 'img' && r.initiatorType !== 'iframe',
    );
    return (nav?.decodedBodySize ?? 0) + resources.reduce((sum, r) => sum + r.decodedBodySize, 0);
  });
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<AxeResults> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      // Framed notices are the messages themselves, checked on their own where they are tested.
      iframes: false,
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
  const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.id} (${v.impact})`);
  const check = { name, url: page.url(), bytes, serious, minor };
  results.push(check);
  expect(serious, `axe on ${name}`).toEqual([]);
  if (options.markup !== false) {
    const html = await documents.get(page)?.text();
    expect(html, `the HTML of ${name} (watchForErrors records it)`).toBeDefined();
    const report = await validator.validateString(html!);
    const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
    expect(messages, `markup of ${name}`).toEqual([]);
  }
  expect(bytes, `bytes of ${name}`).toBeLessThan(PAGE_BUDGET_BYTES);
  return check;
}

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** Signs in with the form, unless the context already has a session (the sign-in page then redirects). */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/logga-in`);
  if (page.url().includes('/admin/logga-in')) {
    await page.getByLabel('Din token').fill(token);
    await page.getByRole('button', { name: 'Logga in' }).click();
  }
  await page.waitForURL(`${baseUrl}/admin`);
}

/** One line per page for the test log: size and what axe found. */
export function summary(results: readonly PageCheck[]): string {
  return results
    .map((r) => `${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(1).padStart(6)} KB  serious: ${r.serious.length}  other: ${r.minor.join(', ') || 'none'}`)
    .join('\n');
}
