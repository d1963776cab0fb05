// The report webview page in headless Chromium (Debian's package, driven by playwright-core): each chart
// renders from a fixture report, no console errors, CSP present and enforced, user strings stay text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { webviewCsp, jsonForScript, exportHtml } from '../../client/src/html';
import { reportMarkdown } from '../../client/src/markdown';
import { startPageServer, type PageServer } from './pageServer';

const ROOT = resolve(__dirname, '../..');
const FIX = join(ROOT, 'test/fixtures/webview');
const OUT = join(ROOT, 'test-artifacts/webview');
const NONCE = 'testNonce0123456789';
const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';

const base = JSON.parse(readFileSync(join(FIX, 'chat-70b.report.json'), 'utf8'));
function hostile(): unknown {
  const r = structuredClone(base);
  r.deployments[0].model.id = `meta-llama/${XSS}`;
  r.deployments[0].name = `evil ${XSS}`;
  r.diagnostics.push({ code: 'x', severity: 'error', message: `bad ${XSS}`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } });
  return r;
}
function row(gpu: string, tp: number, usd: number, tpot: number) {
  return {
    rank: 0,
    gpu,
    gpu_name: gpu,
    tp,
    pp: 1,
    gpus_per_replica: tp,
    gpus: tp * 2,
    fits: true,
    meets_slo: tpot < 50,
    tpot_ms: tpot,
    ttft_ms: 120,
    throughput_tokens_per_s: 1500,
    max_throughput_tokens_per_s: 2000,
    batch: 40,
    knee_batch: 45,
    usd_per_gpu_hour: usd ? 2 : 0,
    usd_per_million_output_tokens: usd,
    replicas_needed: 2,
    bound: 'memory',
    why: '',
  };
}
const fixtures: Record<string, unknown> = {
  report: { type: 'report', title: 'Sizing: chat-70b.yaml', result: { uri: 'file:///w/chat-70b.yaml', report: base, formats: ['native'], version: 1 } },
  xss: { type: 'report', title: 'Sizing: evil.yaml', result: { uri: 'file:///w/evil.yaml', report: hostile(), formats: ['native'], version: 1 } },
  compare: {
    type: 'compare',
    title: 'Compare hardware',
    result: {
      file: 'file:///w/chat-70b.yaml',
      deployment: 'chat-70b',
      index: 0,
      model: 'meta-llama/Llama-3.1-70B-Instruct',
      current: { gpu: 'A100-80GB', tp: 4, usd_per_gpu_hour: 1.8 },
      rows: [
        row('A100-80GB', 4, 2.9, 41.0),
        row('H100-SXM', 4, 1.85, 20.3),
        row('H100-SXM', 8, 2.4, 14.1),
        row(`L40S ${XSS}`, 4, 0, 60.2),
        { ...row('L4', 4, 0, 0), fits: false },
      ],
    },
  },
  compareNull: { type: 'compare', title: 'Compare hardware', result: null },
  calibrate: {
    type: 'calibrate',
    title: 'Calibration',
    canInsert: true,
    result: {
      log: { version: '0.11.0', model: 'meta-llama/Llama-3.1-8B-Instruct', engine: 'V1', error: null },
      measured: { weights: 14.99, kv: 53.4, tokens: 437392, concurrency: 3.34 },
      predicted: { weights: 14.96, kv: 53.9, tokens: 441000, concurrency: 3.36 },
      calibration: 'calibration:\n  weights_gib: 14.99',
    },
  },
};

let ps: PageServer;
let url = '';
let browser: Browser;
const csp = webviewCsp("'self'", NONCE);

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/media/report.js')), 'dist/media/report.js missing: run `node scripts/build.mjs`');
  mkdirSync(OUT, { recursive: true });
  const harness = readFileSync(join(FIX, 'harness.html'), 'utf8');
  ps = await startPageServer((u) => {
    if (u.pathname === '/harness') {
      const data = fixtures[u.searchParams.get('fixture') ?? 'report'];
      const probe = u.searchParams.get('probe') ? '<script>window.__unsafeRan = true;</script>' : '';
      return harness
        .replace('{{CSP}}', csp)
        .replaceAll('{{NONCE}}', NONCE)
        .replace('{{DATA}}', () => jsonForScript(data))
        .replace('{{PROBE}}', probe)
        .replace('{{THEME}}', u.searchParams.get('theme') ?? 'vscode-light');
    }
    if (u.pathname === '/export') {
      return exportHtml(
        fixtures.report,
        'Sizing export',
        readFileSync(join(ROOT, 'dist/media/report.js'), 'utf8'),
        readFileSync(join(ROOT, 'dist/media/report.css'), 'utf8'),
      );
    }
    return undefined;
  });
  ({ url, browser } = ps);
});

after(async () => {
  await ps?.close();
});

async function open(path: string, opts: { allowCsp?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  // Waits are hang guards, generous so a loaded machine is slow, not failing.
  page.setDefaultTimeout(180_000);
  page.setDefaultNavigationTimeout(180_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url + path);
  if (!opts.allowCsp) await page.waitForSelector('body[data-rendered]');
  return { page, errors };
}

test('report page renders every chart with its data table, no console errors', async () => {
  const { page, errors } = await open('/harness?fixture=report');
  await page.waitForSelector('#roofline-0');
  const titles = await page.locator('h3.chart-title').allInnerTexts();
  for (const t of [
    'Memory per GPU',
    'KV cache: requests that fit at once',
    'Roofline (log-log)',
    'Latency vs throughput',
    "Little's Law: requests per second",
    'Cost per million tokens',
    'Operators per step',
  ])
    assert.ok(titles.includes(t), `missing chart "${t}" in ${JSON.stringify(titles)}`);
  for (const id of ['memory-0', 'kv-0', 'roofline-0', 'latency-0', 'capacity-0', 'cost-0']) {
    const sec = page.locator(`#${id}`);
    assert.ok((await sec.locator('svg .mark').count()) > 0, `${id}: no marks`);
    assert.ok((await sec.locator('details.data table tbody tr').count()) > 0, `${id}: no data table rows`);
  }
  // Numbers come straight from the report.
  const mem = await page.locator('#memory-0 table').textContent();
  assert.match(mem ?? '', /Weights32\.89 GiB/);
  const kv = await page.locator('#kv-0 .readout').textContent();
  assert.match(kv ?? '', /485,312 tokens/);
  assert.match((await page.locator('#roofline-0 .readout').textContent()) ?? '', /Ridge point 295 FLOP\/byte/);
  assert.match((await page.locator('#latency-0 .readout').textContent()) ?? '', /Knee at batch 45/);
  assert.match(
    (await page.locator('#capacity-0 .readout').textContent()) ?? '',
    // One number for the replicas needed, one for those in flight (L = λW = 20 x 6.19 s), as in the table.
    /^4 replica\(s\) needed for 20\.00 requests\/s \(L = λW = 123\.8 in flight\), deployed 2: the queue grows without bound as deployed; SLO met with 4 replica\(s\)\./,
  );
  // The KV chart shows the workload's figure beside vLLM's max_model_len one, each labelled.
  assert.match(kv ?? '', /210 requests of the workload's 2,300 tokens fit at once .* 14\.81x at max_model_len 32,768/);
  assert.match((await page.locator('#cost-0 .readout').textContent()) ?? '', /\$1\.852 per million output tokens/);
  const cspMeta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.equal(cspMeta, csp);
  assert.match(cspMeta ?? '', /default-src 'none'; script-src 'nonce-/);
  // Keyboard: Tab reaches a chart mark and its read-out updates.
  await page.locator('#memory-0 svg .mark').first().focus();
  assert.match((await page.locator('#memory-0 .readout').textContent()) ?? '', /^Weights: 32\.89 GiB/);
  await page.screenshot({ path: join(OUT, 'report-light.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('roofline: a roof per distinct dtype peak, ridge, prefill and decode points; the decode point moves with the batch picked', async () => {
  const { page, errors } = await open('/harness?fixture=report');
  const perf = base.deployments[0].performance;
  const roof = page.locator('#roofline-0');
  // H100: fp8 = int8 (1978.9 TFLOP/s), bf16 = fp16 (989.4), tf32 (494.7), fp32 (67): four roofs, labelled by dtype.
  assert.deepEqual(
    perf.ceilings.map((c: { dtype: string }) => c.dtype),
    ['fp8', 'int8', 'bf16', 'fp16', 'tf32', 'fp32'],
  );
  assert.equal(await roof.locator('path.roof').count(), 4);
  const notes = (loc: typeof roof) => loc.locator('svg text.note').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  assert.deepEqual(
    (await notes(roof)).filter((x) => !x.startsWith('ridge')),
    ['fp8 / int8', 'bf16 / fp16', 'tf32', 'fp32'],
  );
  assert.equal(await roof.locator('line.ridge').count(), 1);
  assert.equal(await roof.locator('rect.c-prefill').count(), 1);
  assert.equal(await roof.locator('circle.c-decode:not(.moving)').count(), 1);
  // The slider starts at the curve sample nearest the knee (45: samples 43 and 49), then follows the batch picked.
  const moving = roof.locator('circle.moving');
  const at = async () => ({ cx: Number(await moving.getAttribute('cx')), cy: Number(await moving.getAttribute('cy')) });
  const slider = page.locator('#roofline-batch');
  assert.equal(await slider.getAttribute('max'), String(perf.curve.length - 1));
  const c43 = perf.curve.find((c: { batch: number }) => c.batch === 43);
  assert.match((await page.locator('#roofline-batch-value').textContent()) ?? '', new RegExp(`^batch 43: ${c43.intensity.toFixed(1)} FLOP/byte`));
  const start = await at();
  await slider.focus();
  await page.keyboard.press('End');
  const last = perf.curve[perf.curve.length - 1];
  assert.match((await page.locator('#roofline-batch-value').textContent()) ?? '', new RegExp(`^batch ${last.batch}: ${last.intensity.toFixed(1)} FLOP/byte`));
  const end = await at();
  // Larger batch: more FLOP per byte (right on the log x axis) and more FLOP/s (up: smaller SVG y).
  assert.ok(end.cx > start.cx && end.cy < start.cy, `decode point did not move up and right: ${JSON.stringify({ start, end })}`);
  // On the log-log axes (x: 0.1 to 1e5 FLOP/byte over 70..620 px) the point sits where its intensity says.
  // Drawn at the panel's width W (SVG width attribute): x from 70 to W - 20.
  const W = Number(await roof.locator('svg').getAttribute('width'));
  const xOf = (i: number) => 70 + ((Math.log10(i) + 1) / 6) * (W - 90);
  assert.ok(Math.abs(end.cx - xOf(last.intensity)) < 0.01 && Math.abs(start.cx - xOf(c43.intensity)) < 0.01, `x positions ${start.cx}, ${end.cx}`);
  await page.keyboard.press('Home');
  assert.ok(Math.abs((await at()).cx - xOf(perf.curve[0].intensity)) < 0.01, 'Home picks batch 1');
  assert.match((await page.locator('#roofline-batch-value').textContent()) ?? '', /^batch 1: /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('latency chart: the TPOT SLO is a horizontal line at its value, the curve crosses it at the SLO batch', async () => {
  const { page, errors } = await open('/harness?fixture=report');
  const perf = base.deployments[0].performance;
  assert.equal(perf.slo_tpot_ms, 50);
  const lat = page.locator('#latency-0');
  const line = lat.locator('line.limit.c-slo');
  assert.equal(await line.count(), 1);
  const y1 = Number(await line.getAttribute('y1'));
  assert.equal(Number(await line.getAttribute('y2')), y1, 'SLO line is not horizontal');
  assert.equal(Number(await line.getAttribute('x1')), 70);
  assert.equal(Number(await line.getAttribute('x2')), Number(await lat.locator('svg').getAttribute('width')) - 20);
  assert.ok((await lat.locator('svg text.note').evaluateAll((els) => els.map((e) => e.textContent))).includes('TPOT SLO 50 ms'));
  // Every curve sample at or under 50 ms TPOT is drawn below the line (larger SVG y), every one above it over it.
  const cys = await lat.locator('circle.pt').evaluateAll((els) => els.map((e) => Number(e.getAttribute('cy'))));
  assert.equal(cys.length, perf.curve.length);
  perf.curve.forEach((c: { batch: number; tpot_ms: number }, i: number) =>
    assert.equal(cys[i] > y1, c.tpot_ms < 50, `batch ${c.batch}: TPOT ${c.tpot_ms} ms at y ${cys[i]}, SLO line at ${y1}`),
  );
  assert.ok(
    perf.curve.some((c: { tpot_ms: number }) => c.tpot_ms > 50) && perf.curve.some((c: { tpot_ms: number }) => c.tpot_ms < 50),
    'the fixture curve crosses the SLO',
  );
  assert.match((await lat.locator('.readout').textContent()) ?? '', /TPOT SLO 50 ms, met up to batch 99/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('dark and high-contrast themes render without errors', async () => {
  for (const theme of ['vscode-dark', 'vscode-high-contrast']) {
    const { page, errors } = await open(`/harness?fixture=report&theme=${theme}`);
    await page.emulateMedia({ colorScheme: theme === 'vscode-dark' ? 'dark' : 'no-preference' });
    await page.screenshot({ path: join(OUT, `report-${theme}.png`), fullPage: false });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('charts read at 320 px and 1,200 px in light and dark: no chart text under 10 px, no two labels overlapping', async () => {
  const shots = join(ROOT, 'docs/screenshots');
  mkdirSync(shots, { recursive: true });
  for (const width of [320, 1200]) {
    for (const theme of ['vscode-light', 'vscode-dark']) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${url}/harness?fixture=report&theme=${theme}`);
      await page.waitForSelector('#latency-0');
      const found = await page.evaluate(() => {
        const small: string[] = [];
        const overlaps: string[] = [];
        let texts = 0;
        for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>('svg.chart-svg'))) {
          const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
          const boxes: { t: string; r: DOMRect }[] = [];
          for (const t of Array.from(svg.querySelectorAll('text'))) {
            if (getComputedStyle(t).visibility === 'hidden' || !t.textContent) continue;
            texts++;
            const px = parseFloat(getComputedStyle(t).fontSize) * scale;
            if (px < 10) small.push(`${t.textContent} ${px.toFixed(1)}px`);
            const r = t.getBoundingClientRect();
            for (const b of boxes) {
              if (Math.min(r.right, b.r.right) - Math.max(r.left, b.r.left) > 1 && Math.min(r.bottom, b.r.bottom) - Math.max(r.top, b.r.top) > 1)
                overlaps.push(`${svg.closest('section')?.id}: "${t.textContent}" on "${b.t}"`);
            }
            boxes.push({ t: t.textContent, r });
          }
        }
        return { small, overlaps, texts };
      });
      assert.ok(found.texts > 60, `${width} ${theme}: ${found.texts} texts`);
      assert.deepEqual(found.small, [], `${width} px ${theme}`);
      assert.deepEqual(found.overlaps, [], `${width} px ${theme}`);
      await page.screenshot({ path: join(shots, `report-${width}-${theme.replace('vscode-', '')}.png`) });
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
});

test('a model name containing <script> stays text', async () => {
  const { page, errors } = await open('/harness?fixture=xss');
  await page.waitForSelector('#memory-0');
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  assert.equal(await page.locator('#app img').count(), 0);
  assert.equal(await page.locator('#app script').count(), 0);
  assert.ok((await page.locator('.model-id').textContent())?.includes('<script>window.__xss=1</script>'));
  assert.ok((await page.locator('h2#dep-0-title').textContent())?.includes('<img src=x onerror='));
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(OUT, 'xss.png') });
  await page.close();
});

test('an inline script without the nonce is blocked by the CSP', async () => {
  const { page, errors } = await open('/harness?fixture=report&probe=1', { allowCsp: true });
  await page.waitForSelector('body[data-rendered]');
  assert.equal(await page.evaluate(() => (window as unknown as { __unsafeRan?: boolean }).__unsafeRan), undefined);
  assert.ok(
    errors.some((e) => /Content Security Policy/.test(e)),
    `expected a CSP violation, got ${JSON.stringify(errors)}`,
  );
  await page.close();
});

test('compare view: chart first, only configurations that fit, by cost with unpriced last, this file highlighted; null result says so', async () => {
  const { page, errors } = await open('/harness?fixture=compare');
  // The chart comes before the table; its bars are the priced configurations that fit, cheapest first, GPU and tp together.
  const order = await page
    .locator('#app')
    .evaluate((el) => Array.from(el.querySelectorAll('#compare-chart, table.sortable')).map((e) => (e.id ? e.id : 'table')));
  assert.deepEqual(order, ['compare-chart', 'table']);
  const labels = await page.locator('#compare-chart svg text.tick').evaluateAll((els) => els.map((e) => e.textContent ?? '').filter((t) => /×/.test(t)));
  assert.deepEqual(labels, ['H100-SXM × 4', 'H100-SXM × 8', '▶ A100-80GB × 4']);
  assert.equal(await page.locator('#compare-chart svg rect.c-current').count(), 1);
  // Table: the four that fit (L4 does not), by $/Mtok with the unpriced one last; the file's row marked.
  const th = page.locator('th[data-col="usd"]');
  assert.equal(await th.getAttribute('aria-sort'), 'ascending');
  const rowsText = () => page.locator('table.sortable tbody tr th').allTextContents();
  assert.deepEqual(await rowsText(), ['H100-SXM × 4', 'H100-SXM × 8', 'A100-80GB × 4 (this file)', `L40S ${XSS} × 4`]);
  await th.locator('button').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('th[data-col="usd"]').getAttribute('aria-sort'), 'descending');
  // Missing prices stay last in both directions.
  assert.deepEqual(await rowsText(), ['A100-80GB × 4 (this file)', 'H100-SXM × 8', 'H100-SXM × 4', `L40S ${XSS} × 4`]);
  assert.ok((await page.locator('#compare-chart svg .mark').count()) >= 2);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  await page.screenshot({ path: join(OUT, 'compare.png') });
  assert.deepEqual(errors, []);
  await page.close();
  const n = await open('/harness?fixture=compareNull');
  assert.match((await n.page.locator('#app').textContent()) ?? '', /No hardware comparison for this file/);
  assert.deepEqual(n.errors, []);
  await n.page.close();
});

test('calibration view: measured vs predicted and the insert button', async () => {
  const { page, errors } = await open('/harness?fixture=calibrate');
  assert.match((await page.locator('table').textContent()) ?? '', /weights14\.99 GiB14\.96 GiB/);
  assert.equal(await page.locator('#insert-calibration').count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('exported standalone HTML renders offline with its own CSP', async () => {
  const { page, errors } = await open('/export');
  await page.waitForSelector('#latency-0');
  assert.equal((await page.locator('h3.chart-title').count()) >= 6, true);
  assert.match((await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '', /^default-src 'none'/);
  await page.screenshot({ path: join(OUT, 'export.png') });
  assert.deepEqual(errors, []);
  await page.close();
  const md = reportMarkdown(base, ['native']);
  assert.match(md, /## chat-70b/);
  assert.match(md, /\| Weights \| 32\.89 GiB \|/);
});
