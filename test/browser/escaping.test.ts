// Escaping audit of everything that renders server data: real reports, hardware comparisons and calibration
// results (from the language service, the same objects the LSP sends) have EVERY string value, and the keys
// of objects whose keys are shown (capacity, cost, comparison rows, calibration terms), replaced by a distinct
// hostile payload. Then, in headless Chromium, the webview page (client/src/html.ts webviewHtml, with and
// without its CSP, so escaping is tested on its own) and the exported standalone HTML must create no element
// from any payload, run none of them, log no console error, and show each payload they display as exact text.
// The Markdown export, rendered by markdown-it with raw HTML allowed, must emit only the tags it writes itself.
import type { FileReport } from '../../server/src/presenters/reportTypes';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { exportHtml, webviewHtml } from '../../client/src/html';
import { reportMarkdown } from '../../client/src/markdown';
import { LanguageService } from '../../server/src/lsp/languageService';
import { CALIBRATION_DIR } from '../calibrationCases';
import { startPageServer, type PageServer } from './pageServer';

const ROOT = resolve(__dirname, '../..');
const NONCE = 'auditNonce0123456789';
// `#i#` ends every payload so one payload's marker is never a substring of another's (#1# vs #11#).
// `</script>` and `<!--` attack the JSON embedded in the exported file; quotes and & attack attributes.
const PAY = (i: number) => `<img src=x onerror=window.__pwned=${i}>"'&</script><!--#${i}#`;
// Keys are shown with `_` turned into spaces, so the key payload has none.
const KPAY = (i: number) => `<img src=x onerror=window.pwnedKey=${i}>"'&</script><!--#k${i}#`;

/** Replaces every string (and the keys of objects at `keyPaths`) with a payload; remembers each payload's path. */
class Hostile {
  readonly byPath = new Map<string, string>();
  private n = 0;
  private keyPayloads = new Map<string, string>();
  /**
   * `rename`: every key of an object at `keyPaths` becomes a payload (views that show keys generically).
   * `add`: such objects keep their keys (the charts read fixed fields) and gain one hostile key, as if the
   * server added a field; the data tables list every field, so it is shown.
   */
  constructor(
    private readonly keyPaths: RegExp,
    private readonly mode: 'rename' | 'add' = 'rename',
  ) {}
  value(path: string): string {
    const p = PAY(++this.n);
    this.byPath.set(path, p);
    return p;
  }
  /** One payload per original key name, so a column keeps one (hostile) name across all rows. */
  key(name: string): string {
    let p = this.keyPayloads.get(name);
    if (!p) this.keyPayloads.set(name, (p = KPAY(++this.n)));
    this.byPath.set(`key:${name}`, p);
    return p;
  }
  apply(x: unknown, path = ''): unknown {
    // The message kind is protocol, not data.
    if (path === '.type') return x;
    if (typeof x === 'string') return this.value(path);
    if (Array.isArray(x)) return x.map((v, i) => this.apply(v, `${path}[${i}]`));
    if (x && typeof x === 'object') {
      const atKeys = this.keyPaths.test(path);
      const entries = Object.entries(x).map(([k, v]) => [atKeys && this.mode === 'rename' ? this.key(k) : k, this.apply(v, `${path}.${k}`)]);
      if (atKeys && this.mode === 'add') entries.push([this.key(`${path}.+`), this.value(`${path}.+`)]);
      return Object.fromEntries(entries);
    }
    return x;
  }
  paths(re: RegExp): string[] {
    return [...this.byPath.keys()].filter((p) => re.test(p));
  }
}

const service = new LanguageService();
const docOf = (rel: string) => {
  const text = readFileSync(join(ROOT, rel), 'utf8');
  return { uri: pathToFileURL(join(ROOT, rel)).href, version: 1, getText: () => text };
};

interface Case {
  name: string;
  message: unknown;
  hostile: Hostile;
  mustShow: RegExp[];
}
const cases: Case[] = [];

// Reports: one plain plan, one with three deployments and seven diagnostics, two whose deployments do not
// start (startup.error) and carry notes.
const REPORTS = [
  'examples/chat-70b.yaml',
  'test/fixtures/formats/production-stack-multi.yaml',
  'test/fixtures/formats/llmd-modelservice-values.yaml',
  'test/fixtures/formats/rayservice-embedded.yaml',
];
for (const rel of REPORTS) {
  const doc = docOf(rel);
  const h = new Hostile(/^\.result\.report\.deployments\[\d+\]\.(capacity|cost)$/, 'add');
  const raw = {
    type: 'report',
    title: `Sizing: ${rel.split('/').pop()}`,
    result: { uri: doc.uri, report: service.report(doc), formats: service.analyze(doc).analysis.formats, version: 1 },
  };
  const message = h.apply(raw) as { result: { report: { deployments: Record<string, unknown>[] } } };
  // The user-controlled strings the page must show (where present in this report).
  // startup.error: the page states the refusal through the verdict (the error diagnostic that says it), not twice.
  const mustShow = [
    /^\.title$/,
    /^\.result\.report\.file$/,
    /^\.result\.formats\[\d+\]$/,
    /^\.result\.report\.deployments\[\d+\]\.(name|model\.id|gpu\.name|notes\[\d+\])$/,
    /^\.result\.report\.diagnostics\[\d+\]\.(message|code|severity)$/,
    /^\.result\.report\.deployments\[\d+\]\.performance\.operators\[\d+\]\.(name|phase|bound)$/,
  ];
  // The capacity and cost sections are rendered field by field from the typed DeploymentReport (issue 15), so keys the
  // page does not know are not shown at all; the hostile values still may not execute (checked for every string).
  cases.push({ name: rel, message, hostile: h, mustShow });
}
{
  // The page reads each row's fields by name (the typed contract), so the row keys stay ours; every value is hostile.
  const h = new Hostile(/(?!)/);
  // The first 20 rows of the real ranking: every column and string kind, and the chart's bars.
  const cmp = service.compare(docOf('examples/chat-70b.yaml')) as { rows: unknown[] };
  const message = h.apply({ type: 'compare', title: 'Compare hardware: chat-70b.yaml', result: { ...cmp, rows: cmp.rows.slice(0, 20) } });
  cases.push({ name: 'compare', message, hostile: h, mustShow: [/^\.title$/, /^\.result\.rows\[\d+\]\.gpu$/] });
}
{
  const h = new Hostile(/^\.result\.(measured|predicted)$/);
  const logs = JSON.parse(readFileSync(join(CALIBRATION_DIR, 'vllm_startup_logs.json'), 'utf8')).entries as { log_lines: string[] }[];
  const result = service.calibrate(logs[0].log_lines.join('\n'), docOf('examples/chat-70b.yaml'));
  // The log parser leaves version/model null for this log; give them strings so they are attacked too.
  const log = { ...(result.log as object), version: '0.11.0', model: 'm', engine: 'V1' };
  const message = h.apply({ type: 'calibrate', title: 'Calibration', canInsert: true, result: { ...result, log } });
  cases.push({
    name: 'calibrate',
    message,
    hostile: h,
    mustShow: [/^\.title$/, /^\.result\.log\.(version|model|engine|error)$/, /^\.result\.calibration$/, /^key:/],
  });
}
{
  const h = new Hostile(/(?!)/); // no keys are shown
  cases.push({
    name: 'message',
    message: h.apply({ type: 'message', title: 'Sizing: x.yaml', text: 'Could not get the report: x' }),
    hostile: h,
    mustShow: [/^\.(title|text)$/],
  });
}

let ps: PageServer;
let url = '';
let browser: Browser;
const pages = new Map<string, string>();

before(async () => {
  const js = readFileSync(join(ROOT, 'dist/media/report.js'), 'utf8');
  const css = readFileSync(join(ROOT, 'dist/media/report.css'), 'utf8');
  for (const [i, c] of cases.entries()) {
    const title = (c.message as { title: string }).title;
    const page = webviewHtml({ cspSource: "'self'", nonce: NONCE, scriptUri: '/dist/media/report.js', styleUri: '/dist/media/report.css', title });
    pages.set(`/webview/${i}`, page);
    pages.set(`/webview-nocsp/${i}`, page.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    const exported = exportHtml(c.message, title, js, css, NONCE);
    pages.set(`/export/${i}`, exported);
    pages.set(`/export-nocsp/${i}`, exported.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
  }
  ps = await startPageServer((u) => pages.get(u.pathname));
  ({ url, browser } = ps);
});

after(async () => {
  await ps?.close();
});

interface PageAudit {
  text: string;
  title: string;
  injected: string[];
  comments: number;
  pwned: unknown;
  pwnedKey: unknown;
  errors: string[];
}

/** Loads a page (posting the message like the extension host when `post`), clicks every sort button, audits the DOM. */
async function audit(path: string, message: unknown, post: boolean): Promise<PageAudit> {
  const page = await browser.newPage();
  // Waits are hang guards, generous so a loaded machine is slow, not failing (the default 30 s was not enough at a
  // load average of 30 on 2 cores).
  page.setDefaultTimeout(180_000);
  page.setDefaultNavigationTimeout(180_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url + path);
  if (post) await page.evaluate((m) => window.postMessage(m, '*'), message);
  await page.waitForSelector('body[data-rendered]', { state: 'attached' });
  // Sorting re-renders the comparison table from the (hostile) column names.
  for (const b of await page.locator('button.sort').all()) await b.click();
  await page.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  for (const m of (await page.locator('svg .mark').all()).slice(0, 40)) await m.focus();
  const r = await page.evaluate(() => {
    const app = document.getElementById('app')!;
    const walker = document.createTreeWalker(app, NodeFilter.SHOW_COMMENT);
    let comments = 0;
    while (walker.nextNode()) comments++;
    const injected = Array.from(app.querySelectorAll('img, script, iframe, object, embed, [onerror], [onload], [src]')).map((e) => e.outerHTML.slice(0, 80));
    const w = window as unknown as { __pwned?: unknown; pwnedKey?: unknown };
    return { text: app.textContent ?? '', title: document.title, injected, comments, pwned: w.__pwned, pwnedKey: w.pwnedKey };
  });
  await page.close();
  return { ...r, errors };
}

function checkDisplayed(c: Case, where: string, text: string): number {
  let shown = 0;
  for (const [path, p] of c.hostile.byPath) {
    const marker = p.slice(p.lastIndexOf('#', p.length - 2));
    if (text.includes(marker)) {
      shown++;
      // A payload shown at all is shown whole: its `<img …>` did not become an element.
      assert.ok(text.includes(p), `${where}: ${path} appears only in part (parsed as markup?)`);
    }
  }
  const missing = c.hostile.paths(/./).filter((k) => c.mustShow.some((re) => re.test(k)) && !text.includes(c.hostile.byPath.get(k)!));
  assert.deepEqual(missing, [], `${where}: user strings not shown as text`);
  return shown;
}

for (const [i, c] of cases.entries()) {
  test(`webview and exported HTML keep every hostile string as text: ${c.name}`, async () => {
    const title = (c.message as { title: string }).title;
    for (const [kind, post] of [
      ['webview', true],
      ['webview-nocsp', true],
      ['export', false],
      ['export-nocsp', false],
    ] as const) {
      const where = `${c.name} ${kind}`;
      const a = await audit(`/${kind}/${i}`, c.message, post);
      assert.deepEqual(a.injected, [], `${where}: elements from payloads`);
      assert.equal(a.comments, 0, `${where}: a payload's <!-- became a comment`);
      assert.equal(a.pwned, undefined, `${where}: a payload ran`);
      assert.equal(a.pwnedKey, undefined, `${where}: a key payload ran`);
      assert.deepEqual(a.errors, [], `${where}: console errors`);
      assert.equal(a.title, title, `${where}: <title>`);
      const shown = checkDisplayed(c, where, a.text);
      if (kind === 'webview') console.log(`# ${c.name}: ${c.hostile.byPath.size} hostile strings, ${shown} displayed`);
    }
  });
}

// The tags reportMarkdown writes (headings, lists, tables, code, bold); anything else came from a payload.
const MD_TAGS = new Set(['h1', 'h2', 'h3', 'p', 'ul', 'li', 'strong', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'em']);
// markdown-it (the renderer VS Code's Markdown preview uses; here via @vscode/vsce, a dev dependency) with raw
// HTML on: the strictest reading, so a tag the escaping missed shows up as a tag.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (o: { html: boolean }) => { render(src: string): string };
const md = new MarkdownIt({ html: true });
const mdEscaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

for (const c of cases.filter((x) => x.name.endsWith('.yaml'))) {
  test(`Markdown export lets no payload through as HTML: ${c.name}`, () => {
    const { result } = c.message as { result: { report: FileReport; formats: string[] } };
    const html = md.render(reportMarkdown(result.report, result.formats));
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase()));
    assert.deepEqual(
      [...tags].filter((t) => !MD_TAGS.has(t)),
      [],
    );
    assert.doesNotMatch(html, /<!--/);
    // The user strings the Markdown shows, each whole as text.
    // startup.error: the refusal is stated through the verdict's reason (its error diagnostic).
    const mustShow = [
      /^\.result\.report\.file$/,
      /^\.result\.formats\[\d+\]$/,
      /^\.result\.report\.deployments\[\d+\]\.(name|model\.id|gpu\.name)$/,
      /^\.result\.report\.diagnostics\[\d+\]\.(message|code|severity)$/,
    ];
    const paths = c.hostile.paths(/./).filter((k) => mustShow.some((re) => re.test(k)));
    assert.ok(paths.length >= 4, `only ${paths.length} checked strings`);
    assert.deepEqual(
      paths.filter((k) => !html.includes(mdEscaped(c.hostile.byPath.get(k)!))),
      [],
      'not shown as escaped text in the Markdown',
    );
  });
}
