// Every public vLLM startup log with enough inputs: block arithmetic exact (±1 block, or the rounding of the
// printed GiB), concurrency to the printed precision, startup errors in vLLM's words, and config-only
// predictions within 10% of the measured KV tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { parseVllmLog } from '../../server/src/calibration/logParser';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { GiB } from '../../server/src/engine/units';
import { CASES, archOf, logEntries } from '../calibrationCases';

const cat = builtinCatalog();
const entries = logEntries();

function size(c: (typeof CASES)[number], calibrated: boolean) {
  const m = archOf(c);
  const g = cat.resolveGpu(c.gpu)!;
  return sizeMemory(m, g, { ...defaultServing(), ...c.serving }, { calibration: calibrated ? c.calibration : null });
}

for (const c of CASES) {
  test(`${c.id}: the case matches the log file entry`, () => {
    const e = entries.get(c.id);
    assert.ok(e, `entry ${c.id} exists in vllm_startup_logs.json`);
  });
  if (c.calibration) {
    test(`${c.id}: with the measured terms, vLLM's numbers are reproduced`, () => {
      const s = size(c, true);
      // Printed GiB carry +-0.005 GiB of rounding: allow the blocks that rounding spans, and at least 1.
      const tol = Math.max(1, Math.ceil((0.005 * GiB) / Math.max(1, s.kv.bytesPerBlock)));
      if (c.expect.numBlocks !== undefined)
        assert.ok(Math.abs(s.kv.numBlocks - c.expect.numBlocks) <= tol, `blocks ${s.kv.numBlocks} vs ${c.expect.numBlocks} (tolerance ${tol})`);
      if (c.expect.kvTokens !== undefined)
        assert.ok(
          Math.abs(s.kv.capacityTokens - c.expect.kvTokens) <= tol * s.kv.blockSize * Math.max(1, s.kv.numGroups),
          `tokens ${s.kv.capacityTokens} vs ${c.expect.kvTokens}`,
        );
      if (c.expect.maxConcurrency !== undefined) assert.equal(s.kv.maxConcurrency.toFixed(2), c.expect.maxConcurrency.toFixed(2));
      if (c.expect.startupOk !== undefined) assert.equal(s.startup.ok, c.expect.startupOk);
      if (c.expect.errorIncludes) assert.ok(s.startup.error?.includes(c.expect.errorIncludes), s.startup.error ?? 'no error');
    });
  }
  if (c.configOnly) {
    test(`${c.id}: from the config alone, within 10% of what vLLM measured`, () => {
      const s = size(c, false);
      if (c.expect.kvTokens !== undefined) {
        const err = Math.abs(s.kv.capacityTokens - c.expect.kvTokens) / c.expect.kvTokens;
        assert.ok(err < 0.1, `tokens ${s.kv.capacityTokens} vs ${c.expect.kvTokens} (${(err * 100).toFixed(1)}%)`);
      }
      if (c.expect.availableKvGiB !== undefined) {
        const err = Math.abs(s.memory.kvCacheBytes / GiB - c.expect.availableKvGiB) / c.expect.availableKvGiB;
        assert.ok(err < 0.1, `KV ${(s.memory.kvCacheBytes / GiB).toFixed(2)} GiB vs ${c.expect.availableKvGiB} (${(err * 100).toFixed(1)}%)`);
      }
      if (c.configOnlyTight) assert.equal(s.startup.samplerWarmupTight, true);
      else if (c.expect.startupOk !== undefined) assert.equal(s.startup.ok, c.expect.startupOk);
    });
  }
}

test('vLLM 0.8 prints tokens = blocks x 16 and concurrency = tokens / max_model_len (vllm PR 13596 log)', () => {
  const e = entries.get('vllm-pr13596-log-format')!;
  const blocks = e.measured.num_gpu_blocks as number;
  assert.equal(blocks * 16, e.measured.kv_tokens);
  assert.equal(((blocks * 16) / 2048).toFixed(2), String(e.measured.max_concurrency));
});

test('vLLM 0.9.2 prints concurrency = blocks / cdiv(max_model_len, 16) (vllm#19954)', () => {
  const m = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
  const per = 16 * 131072;
  const s = sizeMemory(
    m,
    cat.resolveGpu('H100')!,
    { ...defaultServing(), engineVersion: '0.9.2', maxModelLen: 5000 },
    { calibration: { available_kv_gib: (29220 * per + 1000) / GiB } },
  );
  assert.equal(s.kv.numBlocks, 29220);
  assert.equal(s.kv.capacityTokens, 467520);
  assert.equal(s.kv.maxConcurrency.toFixed(2), '93.35');
});

test('the log parser reads V0 and V1 startup logs', () => {
  const v0 = parseVllmLog(entries.get('vllm-10517-rtx3090-llama31-8b-29k')!.log_lines.join('\n'));
  assert.equal(v0.weightsGiB, 14.9888);
  assert.equal(v0.totalMemoryGiB, 23.58);
  assert.equal(v0.nonTorchGiB, 0.35);
  assert.equal(v0.availableKvGiB, 2.89);
  assert.equal(v0.numGpuBlocks, 1478);
  assert.equal(v0.maxConcurrency, 0.82);
  assert.equal(Number(v0.activationPeakGiB!.toFixed(4)), 2.9912);
  assert.equal(v0.kvTokens, 23648);
  const v1 = parseVllmLog(entries.get('lmcache-1739-qwen3-14b')!.log_lines.join('\n'));
  assert.equal(v1.availableKvGiB, 6.51);
  assert.equal(v1.kvTokens, 42656);
  assert.equal(v1.maxConcurrency, 1.3);
  assert.equal(v1.concurrencyTokens, 32768);
  const tp4 = parseVllmLog(entries.get('vllm-16570-qwen25vl-72b-4xa100-40g')!.log_lines.join('\n'));
  assert.equal(tp4.totalMemoryGiB, 39.38);
  assert.equal(tp4.gpuMemoryUtilization, 0.95);
  assert.equal(tp4.availableKvGiB, 0.04); // the smallest rank, as vLLM uses
  assert.equal(tp4.nonTorchGiB, 0.43);
});
