/**
 * The part of playwright-core's API that the site test uses, typed here and loaded at run time, so
 * that `npm run typecheck` passes on a checkout where this optional devDependency is not installed.
 */

/** Elements as seen by `evaluateAll` (no DOM lib in the project's tsconfig). */
export interface ElementLike {
  textContent: string | null;
}

export interface Locator {
  first(): Locator;
  isVisible(): Promise<boolean>;
  waitFor(options: { state?: 'attached' | 'visible'; timeout?: number }): Promise<void>;
  textContent(): Promise<string | null>;
  count(): Promise<number>;
  evaluateAll<R>(fn: (elements: ElementLike[]) => R): Promise<R>;
}

export interface Page {
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  on(event: 'requestfailed', listener: (request: { url(): string; failure(): { errorText: string } | null }) => void): void;
  on(event: 'response', listener: (response: { status(): number; url(): string }) => void): void;
  goto(url: string, options: { waitUntil: 'load' | 'networkidle' }): Promise<{ status(): number } | null>;
  waitForLoadState(state: 'load' | 'networkidle'): Promise<void>;
  waitForSelector(selector: string, options: { state?: 'attached' | 'visible'; timeout?: number }): Promise<unknown>;
  locator(selector: string): Locator;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  close(): Promise<void>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  executablePath: string;
  headless: boolean;
  args: string[];
  viewport: { width: number; height: number };
}

/** Launches Chromium through playwright-core with a fresh profile in `userDataDir`. */
export async function launchChromium(userDataDir: string, options: LaunchOptions): Promise<BrowserContext> {
  const specifier = 'playwright-core';
  let mod: { chromium: { launchPersistentContext(dir: string, options: LaunchOptions): Promise<BrowserContext> } };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch {
    throw new Error('playwright-core is not installed: npm install (it is a devDependency), or npm install --no-save playwright-core');
  }
  return mod.chromium.launchPersistentContext(userDataDir, options);
}
