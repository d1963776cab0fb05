// Engine II against published measurements (test/data/calibration/published_perf.json): the goals that hold today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perfAccuracyRows } from '../../scripts/perf-accuracy';

const rows = perfAccuracyRows();

test('published rows are reproduced and compared', () => {
  assert.ok(rows.length >= 25, `rows ${rows.length}`);
  for (const r of rows) assert.ok(Number.isFinite(r.predicted) && r.predicted > 0, r.entry);
});

test('single-stream decode (TPOT) within 15% of every published measurement', () => {
  const tpot = rows.filter((r) => r.metric === 'single-stream TPOT ms');
  assert.ok(tpot.length >= 6);
  for (const r of tpot) assert.ok(Math.abs(r.error_pct) < 15, `${r.entry}: ${r.error_pct.toFixed(1)}%`);
});

test('dense offline maximum throughput within 25% for most TensorRT-LLM rows (MoE and FP4 documented as off)', () => {
  const dense = rows.filter((r) => r.metric === 'offline output tok/s' && /Llama-3/.test(r.entry) && !/FP4|Maverick/.test(r.entry));
  const within = dense.filter((r) => Math.abs(r.error_pct) < 25);
  assert.ok(dense.length >= 10);
  assert.ok(within.length / dense.length >= 0.75, `${within.length} of ${dense.length} within 25%`);
});
