/**
 * The set-up every widget's browser test shares: the built site on loopback, one
 * Chromium, and the page that holds the widget, started before the file's tests and
 * closed after them. Read the fields inside tests (they are filled in beforeAll).
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { serveDist, type SiteServer } from './server.ts';
import { launch } from './browser.ts';
import { pageWith } from './pages.ts';

export interface SiteSession {
  site: SiteServer;
  browser: Browser;
  /** The built page that contains the widget's tag (when one is given). */
  path: string;
}

export function siteSession(tag?: string): SiteSession {
  const s = {} as SiteSession;
  beforeAll(async () => {
    s.site = await serveDist();
    s.browser = await launch();
    if (tag) s.path = pageWith(tag);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.site?.close();
  });
  return s;
}
