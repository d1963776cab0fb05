// Drives the real VS Code workbench (code-server) in headless chromium with playwright-core.
// Selectors from ../shared/vscode-e2e/e2e.js (verified on code-server 4.139.1).
import { chromium, type Page } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../browser/chromium';

export interface Check { name: string; ok: boolean; detail?: string }

export const EXPECTED = {
  tpError: 'Total number of attention heads (64) and KV heads (8) must divide evenly by tensor_parallel_size (3); vLLM refuses to start. Valid sizes: 1, 2, 4, 8.',
  kvWarning: 'The KV cache holds 485,312 tokens: only 210 requests of 2,300 tokens (input + output) run at once, fewer than max_num_seqs 256. The rest wait or get preempted. kv_cache_dtype: fp8 doubles the tokens; more GPUs or a higher gpu_memory_utilization add room.',
  quickFix: 'Set tensor_parallel_size to 2',
  k8sError: "Weights need 65.74 GiB per GPU but vLLM's budget is 19.83 GiB (22.04 GiB x 0.9): the model does not fit. Use tensor_parallel_size 8 or more, or an FP8/AWQ checkpoint.",
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

async function goTo(page: Page, pos: string): Promise<void> {
  await page.keyboard.press('Control+G');
  const qi = page.locator('.quick-input-widget input');
  await qi.waitFor({ state: 'visible' });
  await qi.fill(':' + pos);
  await page.keyboard.press('Enter');
}

const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

export async function drive(url: string, shots: string, chromiumPath: string): Promise<Check[]> {
  mkdirSync(shots, { recursive: true });
  const results: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) => { results.push({ name, ok, detail }); console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ' — ' + detail : ''}`); };
  const step = async (name: string, fn: () => Promise<string | void>) => {
    try { check(name, true, (await fn()) || undefined); } catch (e) {
      check(name, false, String((e as Error)?.message ?? e).split('\n')[0]);
      await page.screenshot({ path: join(shots, `failure-${results.length}.png`) }).catch(() => {});
    }
  };
  const userDataDir = mkdtempSync(join(tmpdir(), 'llm-sizer-e2e-chrome-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, headless: true, viewport: { width: 1500, height: 950 }, args: CHROMIUM_ARGS });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(30000);
  try {
    await step('workbench rendered', async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90000 });
    });
    await step('chat-70b.yaml: kv-limits-concurrency warning squiggle and exact Problems entry', async () => {
      await openFile(page, 'chat-70b.yaml', 'ServingPlan');
      await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 90000 });
      await runCommand(page, 'View: Focus Problems');
      const row = page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.kvWarning });
      await row.first().waitFor();
      await page.screenshot({ path: join(shots, '1-diagnostics.png') });
      return flat(await row.first().innerText()).slice(0, 90);
    });
    await step('status bar shows format and fit', async () => {
      const item = page.locator('.statusbar-item', { hasText: /native: fits/ });
      await item.first().waitFor();
      return flat(await item.first().innerText());
    });
    await step('hover on the model shows the memory breakdown', async () => {
      await page.locator('.monaco-editor .view-lines').first().click();
      await goTo(page, '5:12');
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
      await inner.locator('#roofline-0').waitFor({ timeout: 60000 });
      const titles = await inner.locator('h3.chart-title').allInnerTexts();
      for (const t of ['Memory per GPU', 'KV cache capacity and concurrency', 'Roofline (log-log)', 'Latency vs throughput', "Little's Law: replicas", 'Cost per million tokens']) if (!titles.includes(t)) throw new Error(`missing "${t}" in ${titles.join(' | ')}`);
      const kv = await inner.locator('#kv-0 .readout').innerText();
      if (!/485,312 tokens/.test(kv)) throw new Error(`kv read-out: ${kv}`);
      const ridge = await inner.locator('#roofline-0 .readout').innerText();
      if (!/Ridge point 295 FLOP\/byte/.test(ridge)) throw new Error(`roofline read-out: ${ridge}`);
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(shots, '3-report.png') });
      return `${titles.length} charts; ${kv.slice(0, 60)}`;
    });
    await step('report follows edits (live update)', async () => {
      await page.locator('.tab', { hasText: 'chat-70b.yaml' }).first().click();
      await goTo(page, '18:27');
      await page.keyboard.press('Shift+End');
      await page.keyboard.type('0.95');
      const inner = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await inner.locator('#memory-0 .readout', { hasText: /budget 75\.2/ }).waitFor({ timeout: 30000 });
      return flat(await inner.locator('#memory-0 .readout').innerText());
    });
    await step('vllm-70b.yaml: heads-not-divisible error in editor and Problems (exact message)', async () => {
      await openFile(page, 'vllm-70b.yaml', 'tensor-parallel-size');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60000 });
      await runCommand(page, 'View: Focus Problems');
      await page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.tpError }).first().waitFor();
      await page.screenshot({ path: join(shots, '4-error.png') });
    });
    await step('quick fix "Set tensor_parallel_size to 2" removes the error', async () => {
      await page.locator('.tab', { hasText: 'vllm-70b.yaml' }).first().click();
      await goTo(page, '3:23');
      await page.keyboard.press('Control+.');
      const item = page.locator('.action-widget .monaco-list-row', { hasText: EXPECTED.quickFix });
      await item.first().waitFor();
      await page.screenshot({ path: join(shots, '5-quickfix.png') });
      await item.first().click();
      await page.locator('.monaco-editor .view-lines', { hasText: 'tensor-parallel-size: 2' }).first().waitFor();
      await page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.tpError }).first().waitFor({ state: 'detached', timeout: 30000 });
      await page.screenshot({ path: join(shots, '6-fixed.png') });
    });
    await step('Kubernetes manifest: the error sits on the model token inside args (exact message)', async () => {
      await openFile(page, 'k8s-llama-70b.yaml', 'vllm-openai');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60000 });
      await runCommand(page, 'View: Focus Problems');
      const row = page.locator('.markers-panel .monaco-tl-row', { hasText: EXPECTED.k8sError });
      await row.first().waitFor();
      const text = flat(await row.first().innerText());
      if (!/\[Ln 20, Col 19\]/.test(text)) throw new Error(`expected the diagnostic at Ln 20, Col 19: ${text}`);
      await page.screenshot({ path: join(shots, '7-kubernetes.png') });
      return text.slice(0, 90);
    });
  } finally {
    await ctx.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return results;
}
