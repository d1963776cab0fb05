// Drives the real VS Code workbench (code-server) in headless chromium with playwright-core.
// Selectors from ../shared/vscode-e2e/e2e.js (verified on code-server 4.139.1).
import { chromium, type Page } from 'playwright-core';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../browser/chromium';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export const EXPECTED = {
  tpError:
    'Total number of attention heads (64) and KV heads (8) must divide evenly by tensor_parallel_size (3); vLLM refuses to start. Valid sizes: 1, 2, 4, 8.',
  kvWarning:
    'The KV cache holds 460,448 tokens: only 199 requests of 2,300 tokens (input + output) run at once, fewer than max_num_seqs 256. The rest wait or get preempted. kv_cache_dtype: fp8 doubles the tokens; more GPUs or a higher gpu_memory_utilization add room.',
  quickFix: 'Set tensor_parallel_size to 2',
  k8sError:
    "Weights need 65.74 GiB per GPU but vLLM's budget (gpu_memory_utilization 0.9 x 22.04 GiB) is 19.83 GiB: the model does not fit. Use tensor_parallel_size 8 or more, or an FP8/AWQ checkpoint.",
  // One quick fix per format, each on its own small file (`node dist/cli.js check <file> --format json` gives these).
  configError: "max_model_len 200,000 is greater than the model's max_position_embeddings 131,072; vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1.",
  configFix: 'Set max_model_len to 131072',
  deployError:
    'Total number of attention heads (32) and KV heads (8) must divide evenly by tensor_parallel_size (3); vLLM refuses to start. Valid sizes: 1, 2, 4, 8.',
  deployFix: 'Set tensor_parallel_size to 2',
  // After the fix (languageService inlayHints/status on the fixed text): 64 = max_num_seqs; the workload is assumed.
  deployHint: '✓ starts* · 64 running at 1.2k tok',
  deployStatus: 'LLM Sizer: starts (assumptions)',
  stackInfo:
    'The KV cache holds 448,432 tokens: only 373 requests of 1,200 tokens (input + output, an assumed workload: the file states none) run at once, fewer than max_num_seqs 512. The rest wait or get preempted. kv_cache_dtype: fp8 doubles the tokens; more GPUs or a higher gpu_memory_utilization add room.',
  stackFix: 'Set kv_cache_dtype to fp8 (doubles KV tokens)',
  stackIgnored:
    'The production-stack chart does not read vllmConfig.maxNumBatchedTokens; vLLM never sees it. Pass it in vllmConfig.extraArgs as "--max-num-batched-tokens".',
  stackMove: 'Move to vllmConfig.extraArgs as --max-num-batched-tokens=8192',
  planOverload:
    "At 20 requests/s, Little's Law (L = λW) needs 3 replicas: one replica serves at most 6.71 requests/s (196 in flight, each taking W = 29.20 s = TTFT + output x TPOT), so the 1 deployed serve 6.71 requests/s and the queue grows without bound. Deploy 3 replicas (12 GPUs).",
  planFix: "Set data_parallel_size to 3 (replicas Little's Law needs)",
};

async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + label);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function openFile(page: Page, name: string, text: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const qi = page.locator('.quick-input-widget input');
  await qi.waitFor({ state: 'visible' });
  await qi.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator('.monaco-editor .view-lines', { hasText: text }).first().waitFor();
}

/**
 * Go to Line in `file`'s editor, confirmed by the status bar's "Ln X, Col Y". A click on a tab can leave another
 * group (a webview's) active, and Go to Line then answers "Open a text editor first": so the tab is clicked until
 * its group is the active one, and the whole move is tried again when the cursor does not arrive.
 */
async function goTo(page: Page, file: string, pos: string): Promise<void> {
  const [ln, col] = pos.split(':');
  const cursor = page.locator('.statusbar-item', { hasText: `Ln ${ln}, Col ${col}` }).first();
  const qi = page.locator('.quick-input-widget input');
  // Anchored: "Sizing: <file>" (the report's tab) must not match.
  const name = new RegExp('^' + file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  for (let attempt = 1; ; attempt++) {
    try {
      await page.locator('.tab', { hasText: name }).first().click();
      await page.locator('.editor-group-container.active .tab.active', { hasText: name }).waitFor({ timeout: 15000 });
      await page.keyboard.press('Control+G');
      await qi.waitFor({ state: 'visible' });
      await qi.fill(':' + pos);
      await page.keyboard.press('Enter');
      // Keys typed next go to the editor only once the input has closed and the cursor is there (a loaded machine lags).
      await qi.waitFor({ state: 'hidden', timeout: 15000 });
      await cursor.waitFor({ timeout: 15000 });
      return;
    } catch (e) {
      if (attempt === GUARD) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/** The quick-fix menu's entry titled `title` at the cursor; Ctrl+. again if a keypress was lost to a busy workbench. */
async function quickFixItem(page: Page, title: string) {
  const item = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await item.waitFor({ timeout: 30000 });
      return item;
    } catch (e) {
      if (attempt === GUARD) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The count on `file`'s row in the Problems panel (0 when the file has none, so no row). */
async function problemCount(page: Page, file: string): Promise<number> {
  const row = page.locator('.markers-panel .monaco-tl-row', { hasText: file });
  if ((await row.count()) === 0) return 0;
  return Number(flat(await row.first().locator('.monaco-count-badge').innerText()));
}

/** One quick fix applied in the editor, as a user does: what it fixes and what it must change, nothing more. */
interface FixCase {
  file: string;
  /** Editor text that shows the file has opened. */
  opened: string;
  /** The exact message of the diagnostic the fix removes, and a text (once in the file) whose last character is in its range. */
  message: string;
  at: string;
  title: string;
  /** Each [before, after] must occur once in the file; the saved file is the original with exactly these replaced. */
  edits: [string, string][];
  /** Problems on the file before and after the fix (`node dist/cli.js check` on the fixture and on the expected text). */
  problems: [number, number];
}

/** "line:column" (1-based, as Go to Line takes it) of the last character of `text`, which occurs once in `file`. */
function positionOf(file: string, text: string): string {
  if (file.split(text).length !== 2) throw new Error(`fixture: "${text}" must occur once`);
  const before = file.slice(0, file.indexOf(text) + text.length - 1).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

async function applyQuickFix(page: Page, ws: string, c: FixCase, shot: string): Promise<string> {
  const path = join(ws, c.file);
  const original = readFileSync(path, 'utf8');
  let expected = original;
  for (const [from, to] of c.edits) {
    if (original.split(from).length !== 2) throw new Error(`fixture: "${from}" must occur once in ${c.file}`);
    expected = expected.replace(from, to);
  }
  await openFile(page, c.file, c.opened);
  await runCommand(page, 'View: Focus Problems');
  const row = page.locator('.markers-panel .monaco-tl-row', { hasText: c.message });
  await row.first().waitFor({ timeout: GUARD * 60000 });
  const before = await problemCount(page, c.file);
  if (before !== c.problems[0]) throw new Error(`${before} problems on ${c.file} before the fix, expected ${c.problems[0]}`);
  await goTo(page, c.file, positionOf(original, c.at));
  const item = await quickFixItem(page, c.title);
  await page.screenshot({ path: shot.replace(/\.png$/, '-menu.png') });
  await item.click();
  await page.locator('.monaco-editor .view-lines', { hasText: c.edits[0][1] }).first().waitFor();
  await row.first().waitFor({ state: 'detached', timeout: GUARD * 30000 });
  // Saved to disk, the whole text is compared: the fix edited these places and nothing else.
  await page.keyboard.press('Control+S');
  const saved = await until(`${c.file} saved`, () => {
    const t = readFileSync(path, 'utf8');
    return t !== original ? t : undefined;
  });
  if (saved !== expected) throw new Error(`${c.file} after "${c.title}": ${JSON.stringify(saved)}, expected ${JSON.stringify(expected)}`);
  // No problem added: the file's count in Problems is what the checker gives on the expected text.
  let after = await problemCount(page, c.file);
  for (const end = Date.now() + GUARD * 15000; after !== c.problems[1] && Date.now() < end; after = await problemCount(page, c.file))
    await page.waitForTimeout(250);
  if (after !== c.problems[1]) throw new Error(`${after} problems left on ${c.file} after "${c.title}", expected ${c.problems[1]}`);
  await page.screenshot({ path: shot });
  return `problems ${before} -> ${after}; ${c.edits.map(([a, b]) => `${JSON.stringify(a)} -> ${JSON.stringify(b)}`).join(', ')}`;
}

/** Pids of the language servers this run's extension started (matched by the run's own extension folder). */
export function serverPids(extDir: string): number[] {
  const want = join(extDir, 'dist', 'server.js');
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(want);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Every wait here is a hang guard, not a speed requirement: it returns as soon as the editor shows the thing. The
 * guards are generous (x4) so a loaded machine (other jobs on its 2 cores: workbench load took over 30 s at a load
 * average of 30) is slow, not failing; the real bounds are the node:test timeout of the whole file.
 */
const GUARD = 4;

async function until<T>(what: string, fn: () => T | undefined, ms = GUARD * 30000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    const v = fn();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Where this run lives on disk: the workspace copy and the extension folder (for the file and process checks). */
export interface RunDirs {
  ws: string;
  ext: string;
}

export async function drive(url: string, shots: string, chromiumPath: string, dirs: RunDirs): Promise<Check[]> {
  mkdirSync(shots, { recursive: true });
  const results: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) => {
    results.push({ name, ok, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ' — ' + detail : ''}`);
  };
  const step = async (name: string, fn: () => Promise<string | void>) => {
    try {
      check(name, true, (await fn()) || undefined);
    } catch (e) {
      check(name, false, String((e as Error)?.message ?? e).split('\n')[0]);
      await page.screenshot({ path: join(shots, `failure-${results.length}.png`) }).catch(() => {});
    }
  };
  const userDataDir = mkdtempSync(join(tmpdir(), 'llm-sizer-e2e-chrome-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: CHROMIUM_ARGS,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(GUARD * 30000);
  page.setDefaultNavigationTimeout(GUARD * 30000);
  try {
    await step('workbench rendered', async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: GUARD * 90000 });
    });
    await step('chat-70b.yaml: kv-limits-concurrency warning squiggle and exact Problems entry', async () => {
      await openFile(page, 'chat-70b.yaml', 'ServingPlan');
      await page
        .locator('.monaco-editor .squiggly-warning')
        .first()
        .waitFor({ timeout: GUARD * 90000 });
      await runCommand(page, 'View: Focus Problems');
      const row = page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.kvWarning });
      await row.first().waitFor();
      await page.screenshot({ path: join(shots, '1-diagnostics.png') });
      return flat(await row.first().innerText()).slice(0, 90);
    });
    await step('status bar shows the verdict', async () => {
      const item = page.locator('.statusbar-item', { hasText: /LLM Sizer: starts/ });
      await item.first().waitFor();
      return flat(await item.first().innerText());
    });
    await step('hover on the model shows the memory breakdown', async () => {
      await goTo(page, 'chat-70b.yaml', '5:12');
      await runCommand(page, 'Show or Focus Hover');
      const hover = page.locator('.monaco-hover', { hasText: /KV cache/i });
      await hover.first().waitFor({ state: 'visible' });
      const t = flat(await hover.first().innerText());
      if (!/weights/i.test(t) || !/GiB/.test(t)) throw new Error(`hover lacks a memory breakdown: ${t.slice(0, 200)}`);
      await page.screenshot({ path: join(shots, '2-hover.png') });
      await page.keyboard.press('Escape');
      return t.slice(0, 100);
    });
    await step('Show Sizing Report: webview with chart titles and numbers', async () => {
      await page.locator('.monaco-editor .view-lines').first().click();
      await runCommand(page, 'LLM Sizer: Show Sizing Report');
      await page.locator('.tab', { hasText: 'Sizing: chat-70b.yaml' }).waitFor();
      const inner = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await inner.locator('#roofline-0').waitFor({ timeout: GUARD * 60000 });
      const titles = await inner.locator('h3.chart-title').allInnerTexts();
      for (const t of [
        'Memory per GPU',
        'KV cache: requests that fit at once',
        'Roofline (log-log)',
        'Latency vs throughput',
        "Little's Law: requests per second",
        'Cost per million tokens',
      ])
        if (!titles.includes(t)) throw new Error(`missing "${t}" in ${titles.join(' | ')}`);
      const kv = await inner.locator('#kv-0 .readout').innerText();
      if (!/460,448 tokens/.test(kv)) throw new Error(`kv read-out: ${kv}`);
      const ridge = await inner.locator('#roofline-0 .readout').innerText();
      if (!/Ridge point 295 FLOP\/byte/.test(ridge)) throw new Error(`roofline read-out: ${ridge}`);
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(shots, '3-report.png') });
      return `${titles.length} charts; ${kv.slice(0, 60)}`;
    });
    await step('report follows edits (live update)', async () => {
      await goTo(page, 'chat-70b.yaml', '18:27');
      await page.keyboard.press('Shift+End');
      await page.keyboard.type('0.95');
      const inner = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await inner.locator('#memory-0 .readout', { hasText: /budget 75\.2/ }).waitFor({ timeout: GUARD * 30000 });
      return flat(await inner.locator('#memory-0 .readout').innerText());
    });
    await step('vllm-70b.yaml: heads-not-divisible error in editor and Problems (exact message)', async () => {
      await openFile(page, 'vllm-70b.yaml', 'tensor-parallel-size');
      await page
        .locator('.monaco-editor .squiggly-error')
        .first()
        .waitFor({ timeout: GUARD * 60000 });
      await runCommand(page, 'View: Focus Problems');
      await page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.tpError }).first().waitFor();
      await page.screenshot({ path: join(shots, '4-error.png') });
    });
    await step('tp 3 on 64 heads: one verdict everywhere (Problems error, status bar, report badge)', async () => {
      await page.locator('.tab', { hasText: 'vllm-70b.yaml' }).first().click();
      await page
        .locator('.statusbar-item', { hasText: /LLM Sizer: does not start/ })
        .first()
        .waitFor({ timeout: 30000 });
      await runCommand(page, 'LLM Sizer: Show Sizing Report');
      await page.locator('.tab', { hasText: 'Sizing: vllm-70b.yaml' }).waitFor();
      const inner = page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
      const badge = inner.locator('h2 .badge[data-verdict="fails"]');
      await badge.first().waitFor({ timeout: 60000 });
      const text = flat(await badge.first().innerText());
      if (text !== 'does not start') throw new Error(`report badge: ${text}`);
      await page.screenshot({ path: join(shots, '4b-one-verdict.png') });
      // Close the report tab so the editor-title step below opens it afresh.
      // By its close button, not Ctrl+W: a key can reach the webview's frame instead of the workbench.
      const reportTab = page.locator('.tab', { hasText: 'Sizing: vllm-70b.yaml' }).first();
      await reportTab.hover();
      await reportTab.locator('.tab-actions .action-label').first().click();
      await reportTab.waitFor({ state: 'detached' });
      return text;
    });
    await step('quick fix "Set tensor_parallel_size to 2" removes the error', async () => {
      await goTo(page, 'vllm-70b.yaml', '3:23');
      const item = await quickFixItem(page, EXPECTED.quickFix);
      await page.screenshot({ path: join(shots, '5-quickfix.png') });
      await item.click();
      await page.locator('.monaco-editor .view-lines', { hasText: 'tensor-parallel-size: 2' }).first().waitFor();
      await page
        .locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.tpError })
        .first()
        .waitFor({ state: 'detached', timeout: GUARD * 30000 });
      await page.screenshot({ path: join(shots, '6-fixed.png') });
    });
    await step('Kubernetes manifest: the error sits on the model token inside args (exact message)', async () => {
      await openFile(page, 'k8s-llama-70b.yaml', 'vllm-openai');
      await page
        .locator('.monaco-editor .squiggly-error')
        .first()
        .waitFor({ timeout: GUARD * 60000 });
      await runCommand(page, 'View: Focus Problems');
      const row = page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.k8sError });
      await row.first().waitFor();
      const text = flat(await row.first().innerText());
      if (!/\[Ln 20, Col 19\]/.test(text)) throw new Error(`expected the diagnostic at Ln 20, Col 19: ${text}`);
      await page.screenshot({ path: join(shots, '7-kubernetes.png') });
      return text.slice(0, 90);
    });
    await step('editor-title button (contributes.menus editor/title) opens the sizing report', async () => {
      await page.locator('.tab', { hasText: 'vllm-70b.yaml' }).first().click();
      const group = page.locator('.editor-group-container', { has: page.locator('.tab.active', { hasText: 'vllm-70b.yaml' }) });
      const button = group.locator('.editor-actions a.action-label[aria-label*="Show Sizing Report"]');
      await button.first().click();
      await page.locator('.tab', { hasText: 'Sizing: vllm-70b.yaml' }).waitFor();
      const inner = page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
      await inner.locator('h1#page-title', { hasText: 'Sizing: vllm-70b.yaml' }).waitFor({ timeout: GUARD * 60000 });
      await inner.locator('#memory-0').waitFor();
      await page.screenshot({ path: join(shots, '8-title-button.png') });
      return flat(await inner.locator('#memory-0 .readout').innerText()).slice(0, 80);
    });
    await step('Export Report: save dialog writes the HTML, "Also save as .md" the Markdown', async () => {
      await page
        .locator('.tab', { hasText: /^chat-70b\.yaml/ })
        .first()
        .click();
      await runCommand(page, 'LLM Sizer: Export Report');
      // code-server uses VS Code's simple file dialog: a quick input holding the proposed path.
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      // The command palette's text stays in the input until the dialog replaces it with the proposed path.
      await page
        .waitForFunction(
          () => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value.endsWith('/chat-70b.sizing.html'),
          undefined,
          { timeout: GUARD * 30000 },
        )
        .catch(async () => {
          throw new Error(`save dialog proposed ${await input.inputValue()}`);
        });
      await page.keyboard.press('Enter');
      const toast = page.locator('.notification-toast', { hasText: 'LLM Sizer: report exported to chat-70b.sizing.html.' });
      await toast.first().waitFor();
      await page.screenshot({ path: join(shots, '9-exported.png') });
      const html = join(dirs.ws, 'chat-70b.sizing.html');
      const text = await until('the exported HTML', () => (existsSync(html) ? readFileSync(html, 'utf8') : undefined));
      if (
        !text.includes('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-') ||
        !text.includes('<script type="application/json" id="llm-sizer-data">')
      )
        throw new Error(`exported HTML lacks its CSP or data: ${text.slice(0, 200)}`);
      await toast.first().locator('a.monaco-button, .monaco-button', { hasText: 'Also save as .md' }).first().click();
      const mdFile = join(dirs.ws, 'chat-70b.sizing.md');
      // The file can exist a moment before its content lands (seen once: an empty read): wait for the content.
      const md = await until('the exported Markdown', () => (existsSync(mdFile) ? readFileSync(mdFile, 'utf8') || undefined : undefined));
      if (!md.startsWith('# LLM Sizer report: ') || !md.includes('## chat-70b')) throw new Error(`Markdown export: ${md.slice(0, 200)}`);
      return `${text.length} bytes HTML, ${md.length} bytes Markdown`;
    });
    await step('Compare Hardware: one tab, chart first, rows sorted by cost', async () => {
      await page
        .locator('.tab', { hasText: /^chat-70b\.yaml/ })
        .first()
        .click();
      await runCommand(page, 'LLM Sizer: Compare Hardware');
      await page.locator('.tab', { hasText: 'Compare hardware: chat-70b.yaml' }).waitFor();
      const inner = page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
      await inner.locator('#compare-chart svg .mark').first().waitFor({ timeout: 60000 });
      const sorted = await inner.locator('th[data-col="usd"]').getAttribute('aria-sort');
      if (sorted !== 'ascending') throw new Error(`compare table sorted ${sorted}`);
      await page.screenshot({ path: join(shots, '9b-compare.png') });
      return `${await inner.locator('#compare-chart svg .mark').count()} bars`;
    });
    await step(`vLLM config: quick fix "${EXPECTED.configFix}" edits max-model-len only and the error is gone`, () =>
      applyQuickFix(
        page,
        dirs.ws,
        {
          file: 'config-8b-context.yaml',
          opened: 'max-model-len',
          message: EXPECTED.configError,
          at: 'max-model-len: 200000',
          title: EXPECTED.configFix,
          edits: [['max-model-len: 200000', 'max-model-len: 131072']],
          // Left: the assumed-workload KV information and the assumed-GPU information.
          problems: [3, 2],
        },
        join(shots, '9c-fix-config.png'),
      ),
    );
    await step(`Deployment: quick fix "${EXPECTED.deployFix}" edits the container arg and the GPU request; no problem left`, () =>
      applyQuickFix(
        page,
        dirs.ws,
        {
          file: 'deploy-8b-tp3.yaml',
          opened: 'tensor-parallel-size',
          message: EXPECTED.deployError,
          at: '--tensor-parallel-size=3',
          title: EXPECTED.deployFix,
          edits: [
            ['--tensor-parallel-size=3', '--tensor-parallel-size=2'],
            ['nvidia.com/gpu: 3', 'nvidia.com/gpu: 2'],
          ],
          problems: [1, 0],
        },
        join(shots, '9d-fix-deployment.png'),
      ),
    );
    await step('Deployment after its fix: one verdict again (status bar and the inlay hint on its name say it starts)', async () => {
      await page.locator('.statusbar-item', { hasText: EXPECTED.deployStatus }).first().waitFor();
      // The hint sits at the end of the metadata name line; bring that line into view first.
      await goTo(page, 'deploy-8b-tp3.yaml', `${positionOf(readFileSync(join(dirs.ws, 'deploy-8b-tp3.yaml'), 'utf8'), 'name: llama-8b').split(':')[0]}:1`);
      const line = page.locator('.monaco-editor .view-line', { hasText: 'name: llama-8b' }).first();
      await line.filter({ hasText: EXPECTED.deployHint }).waitFor({ timeout: GUARD * 30000 });
      const text = flat(await line.innerText());
      if (!text.endsWith(EXPECTED.deployHint) || /does not start/.test(text)) throw new Error(`inlay hint: ${text}`);
      return text;
    });
    await step(`production-stack values: quick fix "${EXPECTED.stackFix}" appends to vllmConfig.extraArgs, no top-level key`, () =>
      applyQuickFix(
        page,
        dirs.ws,
        {
          file: 'stack-values-70b.yaml',
          opened: 'servingEngineSpec',
          message: EXPECTED.stackInfo,
          at: 'maxNumSeqs: 512',
          title: EXPECTED.stackFix,
          edits: [['extraArgs: ["--disable-log-requests"]', 'extraArgs: ["--disable-log-requests", "--kv-cache-dtype=fp8"]']],
          // Left: the setting-ignored warning (next step) and the assumed-GPU information.
          problems: [3, 2],
        },
        join(shots, '9e-fix-stack.png'),
      ),
    );
    await step(`production-stack values: quick fix "${EXPECTED.stackMove}" moves the ignored key into extraArgs`, () =>
      applyQuickFix(
        page,
        dirs.ws,
        {
          file: 'stack-values-70b.yaml',
          opened: 'servingEngineSpec',
          message: EXPECTED.stackIgnored,
          at: 'maxNumBatchedTokens',
          title: EXPECTED.stackMove,
          edits: [
            ['"--kv-cache-dtype=fp8"]', '"--kv-cache-dtype=fp8", "--max-num-batched-tokens=8192"]'],
            ['      maxNumBatchedTokens: 8192\n', ''],
          ],
          // Left: the assumed-GPU information.
          problems: [2, 1],
        },
        join(shots, '9f-fix-stack-ignored.png'),
      ),
    );
    await step(`native plan: quick fix "${EXPECTED.planFix}" sets the replicas and the GPU count Little's Law needs`, () =>
      applyQuickFix(
        page,
        dirs.ws,
        {
          file: 'plan-70b-overload.yaml',
          opened: 'requests_per_second',
          message: EXPECTED.planOverload,
          at: 'requests_per_second: 20',
          title: EXPECTED.planFix,
          // 3 data-parallel replicas of tp 4: 12 GPUs.
          edits: [
            ['data_parallel_size: 1', 'data_parallel_size: 3'],
            ['count: 4,', 'count: 12,'],
          ],
          // Left: the KV cache holds 184 requests of the workload, fewer than max_num_seqs (a warning on each replica).
          problems: [2, 1],
        },
        join(shots, '9g-fix-plan.png'),
      ),
    );
    await step('a killed language server is restarted and serves diagnostics again', async () => {
      const before = serverPids(dirs.ext);
      if (before.length !== 1) throw new Error(`expected one language server, found pids ${before.join(', ')}`);
      process.kill(before[0], 'SIGKILL');
      const after = await until('a new language server', () => {
        const p = serverPids(dirs.ext).filter((x) => x !== before[0]);
        return p.length ? p : undefined;
      });
      // Only a running server can report the error this edit introduces.
      await goTo(page, 'vllm-70b.yaml', '3:23');
      await page.keyboard.press('Shift+End');
      await page.keyboard.type('3');
      await runCommand(page, 'View: Focus Problems');
      await page
        .locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.tpError })
        .first()
        .waitFor({ timeout: GUARD * 60000 });
      await page.screenshot({ path: join(shots, '10-restarted.png') });
      return `server pid ${before[0]} killed, restarted as ${after.join(', ')}`;
    });
  } finally {
    await ctx.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return results;
}
