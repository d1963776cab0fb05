// The local page server and browser both browser tests use: pages by path from the test, the built webview
// script and stylesheet from dist/media (what the webview's CSP allows as 'self'), on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureChromium, CHROMIUM_ARGS } from './chromium';

const ROOT = resolve(__dirname, '../..');

export interface PageServer {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Serves `pageFor(url)` (HTML, or undefined for 404) and dist/media/report.{js,css}; launches headless Chromium. */
export async function startPageServer(pageFor: (u: URL) => string | undefined): Promise<PageServer> {
  const exe = ensureChromium();
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const page = pageFor(u);
    if (page !== undefined) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    const m = /^\/dist\/media\/(report\.(js|css))$/.exec(u.pathname);
    if (m) return res.writeHead(200, { 'content-type': m[2] === 'js' ? 'text/javascript' : 'text/css' }).end(readFileSync(join(ROOT, 'dist/media', m[1])));
    res.writeHead(u.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}
