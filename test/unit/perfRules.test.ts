// Engine II diagnostics: Little's Law overload, unreachable SLOs, decode far below the ridge point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';

const plan = (extra: string) => `apiVersion: llm-sizer/v1
kind: ServingPlan
metadata: {name: p}
model: meta-llama/Llama-3.1-8B-Instruct
hardware: {gpu: H100, count: 1}
serving: {engine_version: "0.11.0", max_model_len: 8192}
${extra}`;

test('littles-law-overload: more arrivals than the deployed replicas serve, with L = λW arithmetic in the message', () => {
  const f = analyzeText(plan('workload: {requests_per_second: 200, input_tokens: 1000, output_tokens: 500}\nslo: {tpot_ms: 40}\n'));
  const d = f.diagnostics.find((x) => x.code === 'littles-law-overload');
  assert.ok(d, JSON.stringify(f.diagnostics.map((x) => x.code)));
  const c = (
    f.deployments[0].performance as {
      capacity: { replicas_needed: number; max_rps_per_replica: number; concurrency_per_replica: number; request_latency_at_capacity_s: number };
    }
  ).capacity;
  // Little's Law at the replica's capacity: rate = L / W.
  assert.ok(Math.abs(c.max_rps_per_replica - c.concurrency_per_replica / c.request_latency_at_capacity_s) < 1e-9);
  assert.equal(c.replicas_needed, Math.ceil(200 / c.max_rps_per_replica - 1e-9));
  assert.ok(d.message.startsWith(`At 200 requests/s, Little's Law (L = λW) needs ${c.replicas_needed} replicas`));
  assert.deepEqual(d.range.start, { line: 6, character: 32 });
  assert.equal((d.data as { replicasNeeded: number }).replicasNeeded, c.replicas_needed);
});

test('slo-unreachable: a TPOT below what batch 1 can do', () => {
  const f = analyzeText(plan('workload: {requests_per_second: 1, input_tokens: 500, output_tokens: 100}\nslo: {tpot_ms: 0.5}\n'));
  const d = f.diagnostics.find((x) => x.code === 'slo-unreachable');
  assert.ok(d);
  assert.match(d.message, /^The SLO is not met: /);
  assert.deepEqual(d.range.start, { line: 7, character: 15 });
});

test('decode-below-ridge: a single stream on an H100 is far left of the ridge point', () => {
  const f = analyzeText(plan('workload: {concurrency: 1, input_tokens: 500, output_tokens: 100}\n'));
  const d = f.diagnostics.find((x) => x.code === 'decode-below-ridge');
  assert.ok(d);
  const p = (f.deployments[0].performance as { performance: { ridge_point_flop_per_byte: number; decode: { linear_intensity: number } } }).performance;
  // bf16 weights read once per step for one token: ~1 FLOP per byte, against 989.4e12 / 3.35e12 = 295 FLOP/byte.
  assert.equal(Math.round(p.ridge_point_flop_per_byte), 295);
  assert.ok(p.decode.linear_intensity < 2);
  assert.match(d.message, /^Decode runs at batch 1: about 1 FLOP\/byte against a ridge point of 295 FLOP\/byte/);
  // A busy replica is not flagged.
  const busy = analyzeText(plan('workload: {concurrency: 200, input_tokens: 500, output_tokens: 100}\n'));
  assert.equal(
    busy.diagnostics.some((x) => x.code === 'decode-below-ridge'),
    false,
  );
});
