// The replicas a file deploys reach Little's Law (issue 16 items 2 and 3): engine instances = replicas x data parallel
// ranks for every format, autoscaling compared at its ceiling, an unknown count never an overload, and a workload for
// files that state none from the llmSizer.defaultWorkload setting (assumed: information only). Each quick fix is
// applied and the file checked again.
//
// One hand-computable case throughout: Llama-3.1-8B on an H100 with max_num_seqs 8 and a closed loop of C = 40
// clients (1,000 + 200 tokens). An H100 holds far more than 8 such requests in its KV cache (checked), and no SLO is
// set, so one instance runs at most 8 requests: Little's Law L = λW holds L = C = 40 in the system, and
// ceil(40 / 8) = 5 instances are needed. λ = L / W with W the request time at 8 in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import { LanguageService } from '../../server/src/lsp/languageService';
import { analyzeText } from '../../server/src/analysis/analysis';
import type { CapacitySection } from '../../server/src/engine/performance';
import { offsetAt } from '../../server/src/lsp/features/settingEdits';
import { assumedWorkloadOf } from '../../server/src/analysis/settings';
import { run } from '../../server/src/cli/cli';
import { assumptionsOf } from '../../server/src/analysis/verdict';

const WORKLOAD = { concurrency: 40, input_tokens: 1000, output_tokens: 200 };
const C = 40;
const SLOTS = 8;
const NEEDED = Math.ceil(C / SLOTS); // 5

const svc = new LanguageService();
svc.configure({ defaultWorkload: WORKLOAD });
let version = 0;
const doc = (text: string) => ({ uri: 'file:///w/deploy.yaml', version: ++version, getText: () => text });

function capacityOf(text: string, withWorkload = true): { c: CapacitySection; diags: Diagnostic[] } {
  const f = analyzeText(text, { defaultGpu: 'H100', defaultWorkload: withWorkload ? WORKLOAD : null });
  const c = f.deployments[0].performance?.capacity;
  assert.ok(c, 'sized');
  return { c, diags: f.diagnostics as unknown as Diagnostic[] };
}

/** L = λW and the per-instance limit of the hand-computed case. */
function assertLittlesLaw(c: CapacitySection): void {
  assert.ok(c.kv_limited_concurrency > SLOTS, `the KV cache holds more than ${SLOTS} requests (${c.kv_limited_concurrency})`);
  assert.equal(c.concurrency_per_replica, SLOTS);
  assert.equal(c.concurrency_needed, C);
  assert.equal(c.replicas_needed, NEEDED);
  // λ is L over the request time at the operating batch: C / 5 instances = 8 in flight each, the capacity point.
  assert.ok(Math.abs(c.arrival_rate_rps * c.request_latency_at_capacity_s - C) < 1e-9, 'L = λW');
  assert.ok(Math.abs(c.max_rps_per_replica * c.request_latency_at_capacity_s - SLOTS) < 1e-9, 'one instance: 8 = λ1 W');
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}

/** Applies the overload fix titled `title`; the diagnostic is gone and no other code appears. */
function applyOverloadFix(text: string, title: RegExp): string {
  const d = doc(text);
  const before = svc.diagnostics(d);
  const diag = before.find((x) => x.code === 'littles-law-overload');
  assert.ok(diag, before.map((x) => x.code).join(', '));
  const actions: CodeAction[] = svc.codeActions(d, { textDocument: { uri: d.uri }, range: diag.range, context: { diagnostics: [diag] } });
  const a = actions.find((x) => title.test(x.title));
  assert.ok(a, actions.map((x) => x.title).join(' | '));
  const after = applyEdits(text, Object.values(a.edit!.changes!)[0]);
  const now = svc.diagnostics(doc(after)).map((x) => String(x.code));
  assert.ok(!now.includes('littles-law-overload'), after);
  assert.deepEqual(
    now.filter((x) => !before.some((b) => b.code === x)),
    [],
  );
  return after;
}

/** Titles of the fixes offered for the overload diagnostic (which must be there). */
function overloadFixTitles(text: string): string[] {
  const d = doc(text);
  const diag = svc.diagnostics(d).find((x) => x.code === 'littles-law-overload');
  assert.ok(diag);
  return svc.codeActions(d, { textDocument: { uri: d.uri }, range: diag.range, context: { diagnostics: [diag] } }).map((x) => x.title);
}

const DEPLOYMENT = (replicas: string, dp: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: llama
spec:
${replicas}  selector:
    matchLabels: {app: llama}
  template:
    spec:
      nodeSelector:
        nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.11.0
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-num-seqs", "8"${dp > 1 ? `, "--data-parallel-size", "${dp}"` : ''}]
          resources:
            limits:
              nvidia.com/gpu: ${dp}
`;

test('Deployment: spec.replicas 2 x data_parallel_size 2 = 4 instances, 5 needed: an information on the assumed workload, fixed by replicas 3', () => {
  const text = DEPLOYMENT('  replicas: 2\n', 2);
  const { c, diags } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed, 4);
  assert.equal(c.replicas_deployed_max, 4);
  assert.equal(c.replicas_deployed_text, '4 (2 replicas x data_parallel_size 2)');
  assert.equal(c.overloaded, true);
  const o = diags.find((x) => x.code === 'littles-law-overload');
  assert.ok(o);
  // The workload is the setting's, not the file's: information, never a warning.
  assert.equal(o.severity, 'info');
  assert.match(o.message, /^For the assumed workload \(llmSizer.defaultWorkload\): At [\d.]+ requests\/s, Little's Law \(L = λW\) needs 5 replicas/);
  assert.match(o.message, /the 4 \(2 replicas x data_parallel_size 2\) deployed serve .* Deploy 5 replicas \(5 GPUs\): 3 copies of data_parallel_size 2\.$/);
  // ceil(5 / 2) = 3 copies of 2 ranks: 6 instances >= 5.
  const after = applyOverloadFix(text, /^Set replicas to 3 /);
  assert.equal(after, text.replace('replicas: 2', 'replicas: 3'));
  // Without the setting the file states no workload: each instance is sized saturated, L = 4 x 8, no verdict.
  const plain = capacityOf(text, false);
  assert.equal(plain.c.concurrency_needed, 4 * SLOTS);
  assert.equal(plain.c.overloaded, false);
  assert.ok(!plain.diags.some((x) => x.code === 'littles-law-overload'));
});

test('Deployment without spec.replicas: the API default of 1; the fix inserts replicas: 5 under spec', () => {
  const text = DEPLOYMENT('', 1);
  const { c } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed, 1);
  assert.equal(c.replicas_deployed_text, '1');
  const after = applyOverloadFix(text, /^Set replicas to 5 /);
  assert.equal(after, text.replace('spec:\n  selector', 'spec:\n  replicas: 5\n  selector'));
});

test('Deployment with a placeholder replica count: replicas unknown, the need is given, no overload is claimed', () => {
  const text = DEPLOYMENT('  replicas: "${REPLICAS}"\n', 1);
  const { c, diags } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed_known, false);
  assert.equal(c.replicas_deployed_max, null);
  assert.equal(c.overloaded, false);
  assert.equal(c.replicas_deployed_text, 'unknown (spec.replicas is "${REPLICAS}")');
  assert.ok(!diags.some((x) => x.code === 'littles-law-overload'));
  // Said once, in the assumptions box; it changes no sizing figure, so the verdict is not "with assumptions" for it.
  const a = analyzeText(text, { defaultGpu: 'H100' }).deployments[0];
  assert.deepEqual(
    assumptionsOf(a)
      .filter((x) => x.what === 'replicas')
      .map((x) => [x.stated, x.value]),
    [[false, 'unknown (spec.replicas is "${REPLICAS}")']],
  );
});

test('production-stack: replicaCount 2, 5 needed; the fix sets replicaCount', () => {
  const text = `servingEngineSpec:
  modelSpec:
  - name: llama
    repository: vllm/vllm-openai
    tag: v0.11.0
    modelURL: meta-llama/Llama-3.1-8B-Instruct
    replicaCount: 2
    requestGPU: 1
    vllmConfig:
      maxNumSeqs: 8
`;
  const { c } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed, 2);
  assert.equal(c.overloaded, true);
  const after = applyOverloadFix(text, /^Set replicaCount to 5 /);
  assert.equal(after, text.replace('replicaCount: 2', 'replicaCount: 5'));
});

const RAY = (deployment: string) => `applications:
- name: llms
  import_path: ray.serve.llm:build_openai_app
  args:
    llm_configs:
    - model_loading_config:
        model_id: llama
        model_source: meta-llama/Llama-3.1-8B-Instruct
      accelerator_type: H100
      engine_kwargs:
        max_num_seqs: 8
      deployment_config:
${deployment}`;

test('Ray Serve: num_replicas 2, 5 needed; the fix sets num_replicas', () => {
  const text = RAY('        num_replicas: 2\n');
  const { c } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed, 2);
  const after = applyOverloadFix(text, /^Set num_replicas to 5 /);
  assert.equal(after, text.replace('num_replicas: 2', 'num_replicas: 5'));
});

test('Ray Serve autoscaling: judged at max_replicas; an autoscaler that can reach the need is no overload', () => {
  const short = capacityOf(RAY('        autoscaling_config: {min_replicas: 1, max_replicas: 4}\n'));
  assertLittlesLaw(short.c);
  assert.equal(short.c.replicas_deployed, 1);
  assert.equal(short.c.replicas_deployed_max, 4);
  assert.equal(short.c.replicas_deployed_text, '1-4 (autoscaling 1..4 replicas)');
  assert.equal(short.c.overloaded, true);
  const enough = capacityOf(RAY('        autoscaling_config: {min_replicas: 1, max_replicas: 6}\n'));
  assert.equal(enough.c.overloaded, false);
  assert.ok(!enough.diags.some((x) => x.code === 'littles-law-overload'));
  // The bounds are the operator's policy: no quick fix rewrites them.
  assert.deepEqual(overloadFixTitles(RAY('        autoscaling_config: {min_replicas: 1, max_replicas: 4}\n')), []);
});

test('KServe: minReplicas without maxReplicas has no stated ceiling: at least 1, no overload claimed', () => {
  const text = `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llama
spec:
  predictor:
    minReplicas: 1
    nodeSelector:
      nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
    containers:
      - name: kserve-container
        image: vllm/vllm-openai:v0.11.0
        args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-num-seqs", "8"]
        resources:
          limits:
            nvidia.com/gpu: 1
`;
  const { c, diags } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed_max, null);
  assert.equal(c.replicas_deployed_text, 'at least 1 (autoscaling 1..no stated maximum replicas)');
  assert.ok(!diags.some((x) => x.code === 'littles-law-overload'));
  const capped = capacityOf(text.replace('minReplicas: 1', 'minReplicas: 1\n    maxReplicas: 4'));
  assert.equal(capped.c.replicas_deployed_max, 4);
  assert.equal(capped.c.overloaded, true);
  // Equal bounds run a fixed 2, but both keys state it: no fix that would raise minReplicas past maxReplicas.
  const pinned = text.replace('minReplicas: 1', 'minReplicas: 2\n    maxReplicas: 2');
  assert.equal(capacityOf(pinned).c.replicas_deployed_text, '2 (autoscaling 2..2 replicas)');
  assert.deepEqual(overloadFixTitles(pinned), []);
});

test('native plan: data_parallel_size stays the instance count; a stated workload is a warning, the setting never overrides it', () => {
  const text = `apiVersion: llm-sizer/v1
kind: ServingPlan
metadata: {name: p}
model: meta-llama/Llama-3.1-8B-Instruct
hardware: {gpu: H100, count: 2}
serving: {engine_version: "0.11.0", max_num_seqs: 8, data_parallel_size: 2}
workload: {concurrency: 40, input_tokens: 1000, output_tokens: 200}
`;
  const f = analyzeText(text, { defaultWorkload: { concurrency: 1 } });
  const c = f.deployments[0].performance!.capacity;
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed_text, '2');
  assert.equal(f.diagnostics.find((x) => x.code === 'littles-law-overload')?.severity, 'warning');
});

test('the workload setting and --workload: known keys in bounds, a bad value is a usage error, the report says assumed', () => {
  const errors: string[] = [];
  assert.deepEqual(assumedWorkloadOf({ requests_per_second: 5, input_tokens: 2000, foo: 1, concurrency: 0 }, errors), {
    requests_per_second: 5,
    input_tokens: 2000,
  });
  assert.deepEqual(errors, [
    'unknown key foo (use requests_per_second, concurrency, input_tokens, output_tokens, prefix_cache_hit_rate)',
    'concurrency must be a number from 1 to 10000000',
  ]);
  assert.equal(assumedWorkloadOf('fast'), null);
  assert.throws(() => run(['report', 'x.yaml', '--workload', 'rps=5'], () => {}), /--workload: unknown key rps/);
  const text = DEPLOYMENT('  replicas: 2\n', 2);
  const f = analyzeText(text, { defaultGpu: 'H100', defaultWorkload: WORKLOAD });
  assert.equal(f.deployments[0].deployment.workloadAssumed, true);
  const w = assumptionsOf(f.deployments[0]).find((x) => x.what === 'workload');
  assert.deepEqual({ stated: w?.stated, value: w?.value }, { stated: false, value: '1,000 input + 200 output tokens, 40 in flight' });
  assert.match(w!.how, /^the llmSizer.defaultWorkload setting/);
});

test('LeaderWorkerSet: spec.replicas counts groups, each one engine; the fix sets spec.replicas', () => {
  const text = `apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: llama
spec:
  replicas: 2
  leaderWorkerTemplate:
    size: 1
    leaderTemplate:
      spec:
        nodeSelector:
          nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
        containers:
          - name: vllm
            image: vllm/vllm-openai:v0.11.0
            args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-num-seqs", "8"]
            resources:
              limits:
                nvidia.com/gpu: 1
`;
  const { c } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed_text, '2');
  const after = applyOverloadFix(text, /^Set replicas to 5 /);
  assert.equal(after, text.replace('replicas: 2', 'replicas: 5'));
});

test('KubeAI: minReplicas 0 (scale to zero) to maxReplicas 3: judged at the 3 (an information, no fix)', () => {
  const text = `apiVersion: kubeai.org/v1
kind: Model
metadata:
  name: llama
spec:
  features: [TextGeneration]
  url: hf://meta-llama/Llama-3.1-8B-Instruct
  engine: VLLM
  args:
    - --max-num-seqs=8
  resourceProfile: nvidia-gpu-h100:1
  minReplicas: 0
  maxReplicas: 3
`;
  const { c, diags } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed_text, '0-3 (autoscaling 0..3 replicas)');
  assert.equal(c.overloaded, true);
  assert.equal(diags.find((x) => x.code === 'littles-law-overload')?.severity, 'info');
  assert.deepEqual(overloadFixTitles(text), []);
});

test('DaemonSet: one pod per matching node, a count the manifest does not give: replicas unknown', () => {
  const text = DEPLOYMENT('', 1).replace('kind: Deployment', 'kind: DaemonSet');
  const { c, diags } = capacityOf(text);
  assertLittlesLaw(c);
  assert.equal(c.replicas_deployed_text, 'unknown (a DaemonSet runs one pod per matching node)');
  assert.ok(!diags.some((x) => x.code === 'littles-law-overload'));
});

test('an SLO judged on the assumed workload is information; on no workload at all it stays a warning as before', () => {
  const text = `apiVersion: llm-sizer/v1
kind: ServingPlan
metadata: {name: p}
model: meta-llama/Llama-3.1-8B-Instruct
hardware: {gpu: H100, count: 1}
serving: {engine_version: "0.11.0"}
slo: {tpot_ms: 0.5}
`;
  const sev = (o: Parameters<typeof analyzeText>[1]) => analyzeText(text, o).diagnostics.find((x) => x.code === 'slo-unreachable')?.severity;
  assert.equal(sev({ defaultWorkload: { requests_per_second: 1 } }), 'info');
  assert.equal(sev({}), 'warning');
});

// A HorizontalPodAutoscaler in the same file owns the Deployment's count (Kubernetes API: minReplicas "defaults to 1
// pod", maxReplicas required); KEDA's ScaledObject drives one (minReplicaCount default 0, maxReplicaCount default 100,
// scaleTargetRef.kind default Deployment: keda.sh/docs reference/scaledobject-spec).
const HPA = (min: string, max: string, target = 'llama') => `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: llama-hpa
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${target}
${min}${max}  metrics:
    - type: Pods
      pods:
        metric: {name: vllm_num_requests_waiting}
        target: {type: AverageValue, averageValue: "5"}
`;

test('HorizontalPodAutoscaler in the same file: its bounds replace spec.replicas, judged at its ceiling, no fix', () => {
  // spec.replicas 1 would need 5; the HPA runs 2..4, still short of 5 at its ceiling: overloaded.
  const short = DEPLOYMENT('  replicas: 1\n', 1) + HPA('  minReplicas: 2\n', '  maxReplicas: 4\n');
  const a = capacityOf(short);
  assertLittlesLaw(a.c);
  assert.equal(a.c.replicas_deployed, 2);
  assert.equal(a.c.replicas_deployed_max, 4);
  assert.equal(a.c.replicas_deployed_text, '2-4 (HorizontalPodAutoscaler llama-hpa: autoscaling 2..4 replicas)');
  assert.equal(a.c.overloaded, true);
  // The autoscaler's bounds are the operator's policy, and spec.replicas would be overwritten by it: no fix.
  assert.deepEqual(overloadFixTitles(short), []);
  // A ceiling of 6 can reach the 5 needed: no overload, although spec.replicas says 1.
  const enough = DEPLOYMENT('  replicas: 1\n', 1) + HPA('', '  maxReplicas: 6\n');
  const b = capacityOf(enough);
  assert.equal(b.c.replicas_deployed_text, '1-6 (HorizontalPodAutoscaler llama-hpa: autoscaling 1..6 replicas)');
  assert.equal(b.c.overloaded, false);
  assert.ok(!b.diags.some((x) => x.code === 'littles-law-overload'));
  // An HPA of another workload changes nothing: spec.replicas 1 stands and is overloaded.
  const other = capacityOf(DEPLOYMENT('  replicas: 1\n', 1) + HPA('', '  maxReplicas: 6\n', 'mistral'));
  assert.equal(other.c.replicas_deployed_text, '1');
  assert.equal(other.c.overloaded, true);
  // A templated ceiling: unknown, no overload claimed.
  const tpl = capacityOf(DEPLOYMENT('', 1) + HPA('', '  maxReplicas: "${MAX}"\n'));
  assert.equal(tpl.c.replicas_deployed_known, false);
  assert.equal(tpl.c.replicas_deployed_text, 'unknown (HorizontalPodAutoscaler llama-hpa maxReplicas is "${MAX}")');
  assert.equal(tpl.c.overloaded, false);
});

test('KEDA ScaledObject: kind defaults to Deployment, bounds default to 0..100 (one engine runs under traffic)', () => {
  const text = `${DEPLOYMENT('  replicas: 1\n', 1)}---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: llama-scaler
spec:
  scaleTargetRef:
    name: llama
  triggers:
    - type: prometheus
      metadata: {serverAddress: "http://prometheus:9090", query: "sum(vllm:num_requests_waiting)", threshold: "5"}
`;
  const { c } = capacityOf(text);
  assert.equal(c.replicas_deployed, 1);
  assert.equal(c.replicas_deployed_max, 100);
  assert.equal(c.replicas_deployed_text, '1-100 (ScaledObject llama-scaler: autoscaling 1..100 replicas)');
  assert.equal(c.overloaded, false);
});

test('an edit of the autoscaler re-judges the Deployment even when the Deployment document comes from the cache', () => {
  const base = DEPLOYMENT('  replicas: 1\n', 1);
  const d1 = svc.diagnostics(doc(base + HPA('', '  maxReplicas: 6\n'))).map((x) => String(x.code));
  assert.ok(!d1.includes('littles-law-overload'));
  // Same LanguageService, same uri: the Deployment's document is unchanged and was cached by the call above.
  const d2 = svc.diagnostics(doc(base + HPA('', '  maxReplicas: 3\n'))).map((x) => String(x.code));
  assert.ok(d2.includes('littles-law-overload'), d2.join(', '));
});
