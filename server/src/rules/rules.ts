// Engine results as diagnostics with stable codes (DESIGN.md section 4). Each message says why and what to change;
// `data` carries what the quick fixes need. Ranges point at the most specific node.
import type { DeploymentAnalysis } from '../analysis/analysis';
import type { Diagnostic, Range } from '../formats/types';
import { fmtGiB, fmtInt, GiB } from '../engine/units';
import { SAMPLER_PROFILE_BYTES_PER_LOGIT } from '../engine/memory';
import { roleOf } from './k8sRules';
import { concurrencyOf } from '../analysis/verdict';
import { deployedInstances } from '../analysis/instances';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Error codes; stable, relied on by users' suppressions and by other tools. */
export const CODES = {
  unknownModel: 'unknown-model',
  unknownGpu: 'unknown-gpu',
  modelConfigInvalid: 'model-config-invalid',
  weightsExceedMemory: 'weights-exceed-memory',
  noKvMemory: 'no-kv-memory',
  maxModelLenTooLong: 'max-model-len-too-long',
  contextBeyondModel: 'context-beyond-model',
  headsNotDivisible: 'heads-not-divisible',
  dtypeUnsupported: 'dtype-unsupported',
  gpuCountMismatch: 'gpu-count-mismatch',
  kvHeadsReplicated: 'kv-heads-replicated',
  kvLimitsConcurrency: 'kv-limits-concurrency',
  tpAcrossNodes: 'tp-across-nodes',
  cudagraphExceedsMemory: 'cudagraph-exceeds-memory',
  littlesLawOverload: 'littles-law-overload',
  sloUnreachable: 'slo-unreachable',
  decodeBelowRidge: 'decode-below-ridge',
  quantizationMismatch: 'quantization-mismatch',
  samplerWarmupOom: 'sampler-warmup-oom',
  /** Info: values the file states but does not resolve; the rules that depend on them are off (analysis.ts). */
  valueUnresolved: 'value-unresolved',
  /** A vLLM flag the (stated or assumed) version removed; argparse refuses it (flagRules.ts). */
  flagRemoved: 'flag-removed',
  /** `$VAR` / `${VAR}` in a Kubernetes arg or env value outside a shell: only `$(VAR)` expands (containerRules.ts). */
  envVarNotExpanded: 'env-var-not-expanded',
  /** CUDA_VISIBLE_DEVICES lists fewer GPUs than the engine needs in the pod (k8sRules.ts). */
  cudaVisibleDevicesTooFew: 'cuda-visible-devices-too-few',
  /** A serving container that requests no GPU and is placed on no GPU node (k8sRules.ts). */
  noGpuRequested: 'no-gpu-requested',
  /** A token or API key written in the manifest instead of a Secret; the value is never echoed (containerRules.ts). */
  secretInPlainText: 'secret-in-plain-text',
  /** A GPU node-selector value no catalog GPU carries (k8sCommon.ts applyGpuCandidates). */
  gpuSelectorUnknown: 'gpu-selector-unknown',
  /** A flag whose value is (or expands to) empty; argparse refuses it (args.ts). */
  emptyFlagValue: 'empty-flag-value',
  hostRamExceedsLimit: 'host-ram-exceeds-limit',
  extrasUnknown: 'memory-term-unknown',
} as const;

/** Tensor-parallel sizes vLLM accepts for this model, up to `limit`. */
export function validTpSizes(heads: number, kvHeads: number, limit = 64, experts = 0, ep = false): number[] {
  const out: number[] = [];
  for (let tp = 1; tp <= limit; tp *= 2) {
    if (heads % tp !== 0) continue;
    if (kvHeads >= tp ? kvHeads % tp !== 0 : tp % kvHeads !== 0) continue;
    if (ep && experts && experts % tp !== 0) continue;
    out.push(tp);
  }
  return out;
}

export function rulesFor(a: DeploymentAnalysis): Diagnostic[] {
  const d = a.deployment;
  const s = a.sizing;
  const m = a.model?.arch;
  const gpu = a.gpu;
  if (!s || !m || !gpu) return [];
  const r = (path: string, ...fallbacks: string[]): Range => {
    for (const p of [path, ...fallbacks]) if (d.ranges[p]) return d.ranges[p];
    return d.ranges.document ?? ZERO;
  };
  const out: Diagnostic[] = [];
  const sv = s.serving;
  const tpRange = r('serving.tensor_parallel_size', 'hardware.count', 'model');

  // Divisibility (vLLM ModelConfig.verify_with_parallel_config; QKVParallelLinear): the engine's startup verdict.
  const st = s.startup;
  const refuses = (kind: string) => st.findings.some((f) => f.kind === kind);
  if (!m.mla && refuses('heads_not_divisible')) {
    const valid = validTpSizes(m.heads, m.kvHeads, Math.max(8, sv.tp * 2));
    out.push({
      code: CODES.headsNotDivisible,
      severity: 'error',
      message: `Total number of attention heads (${m.heads}) and KV heads (${m.kvHeads}) must divide evenly by tensor_parallel_size (${sv.tp}); vLLM refuses to start. Valid sizes: ${valid.join(', ')}.`,
      range: tpRange,
      data: { validTp: valid, suggested: valid.filter((v) => v <= sv.tp).pop() ?? valid[0] },
    });
  } else if (m.mla && refuses('heads_not_divisible')) {
    const valid = validTpSizes(m.heads, m.heads, Math.max(8, sv.tp * 2));
    out.push({
      code: CODES.headsNotDivisible,
      severity: 'error',
      message: `Total number of attention heads (${m.heads}) must be divisible by tensor_parallel_size (${sv.tp}). Valid sizes: ${valid.join(', ')}.`,
      range: tpRange,
      data: { validTp: valid, suggested: valid.filter((v) => v <= sv.tp).pop() ?? valid[0] },
    });
  }
  if (m.moe && sv.ep > 1 && m.moe.numExperts % sv.ep !== 0) {
    out.push({
      code: CODES.headsNotDivisible,
      severity: 'error',
      message: `${m.moe.numExperts} experts cannot be split evenly over ${sv.ep} expert-parallel ranks (tp x dp).`,
      range: r('serving.enable_expert_parallel', 'serving.tensor_parallel_size'),
    });
  }

  // Context beyond what the model was trained for (vLLM _get_and_verify_max_len).
  if (sv.maxModelLen > m.maxPosition) {
    out.push({
      code: CODES.contextBeyondModel,
      severity: 'error',
      message: `max_model_len ${fmtInt(sv.maxModelLen)} is greater than the model's max_position_embeddings ${fmtInt(m.maxPosition)}${m.ropeScaled ? '' : ' and it has no rope scaling'}; vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1.`,
      range: r('serving.max_model_len', 'model'),
      data: { suggested: m.maxPosition },
    });
  }

  // Dtypes the GPU cannot run (vLLM _check_if_gpu_supports_dtype; fp8 kernels need compute capability 8.9+).
  const cc = gpu.computeCapability ? Number(gpu.computeCapability) : null;
  if (gpu.vendor === 'nvidia' && cc !== null) {
    if (sv.dtype === 'bfloat16' && cc < 8 && (d.serving.dtype === 'bfloat16' || d.serving.dtype === 'bf16')) {
      out.push({
        code: CODES.dtypeUnsupported,
        severity: 'error',
        message: `Bfloat16 is only supported on GPUs with compute capability of at least 8.0; ${gpu.name} has ${gpu.computeCapability}. Use dtype: float16.`,
        range: r('serving.dtype'),
        data: { suggested: 'float16' },
      });
    }
    const fp8Kv = /^fp8/.test(sv.kvCacheDtype);
    if (m.quant && (m.quant.method === 'fp8' || m.quant.method === 'fbgemm_fp8') && cc < 8) {
      out.push({
        code: CODES.dtypeUnsupported,
        severity: 'error',
        message: `${m.quant.label} checkpoints need compute capability 8.0 or newer (8.9+ for native FP8); ${gpu.name} has ${gpu.computeCapability}.`,
        range: r('model'),
      });
    }
    if (fp8Kv && cc < 8) {
      out.push({
        code: CODES.dtypeUnsupported,
        severity: 'error',
        message: `An fp8 KV cache needs compute capability 8.0 or newer; ${gpu.name} has ${gpu.computeCapability}.`,
        range: r('serving.kv_cache_dtype'),
        data: { suggested: 'auto' },
      });
    }
  }

  // A --quantization the checkpoint does not carry (vLLM ModelConfig._verify_quantization / get_quant_config).
  const qm = st.findings.find((f) => f.kind === 'quantization_mismatch');
  if (qm) {
    out.push({
      code: CODES.quantizationMismatch,
      severity: 'error',
      message: `vLLM refuses to start: "${qm.error}"${m.quant ? ` The checkpoint is ${m.quant.label}; leave quantization unset and vLLM reads it from the checkpoint.` : ' The checkpoint is not quantized with this method: use a pre-quantized checkpoint or an online method (fp8, bitsandbytes).'}`,
      range: r('serving.quantization', 'model'),
    });
  }

  // Startup: the engine's own errors.
  const mem = s.memory;
  if (st.errorKind === 'weights_exceed_memory' || (!st.ok && mem.weightsBytes > mem.requestedBytes)) {
    const perGpuNeeded = mem.weightsBytes * sv.tp;
    const minTp = [1, 2, 4, 8, 16, 32, 64].find(
      (t) => perGpuNeeded / t + 2 * GiB < mem.totalBytes * sv.gpuMemoryUtilization && validTpSizes(m.heads, m.kvHeads, 64).includes(t),
    );
    out.push({
      code: CODES.weightsExceedMemory,
      severity: 'error',
      message: `Weights need ${fmtGiB(mem.weightsBytes)} per GPU but ${sv.engine === 'sglang' ? "SGLang's static memory (mem_fraction_static" : "vLLM's budget (gpu_memory_utilization"} ${+sv.gpuMemoryUtilization.toFixed(3)} x ${fmtGiB(mem.totalBytes)}) is ${fmtGiB(mem.requestedBytes)}: the model does not fit. ${minTp ? `Use tensor_parallel_size ${minTp} or more` : 'Use more GPUs'}${m.quant ? '' : ', or an FP8/AWQ checkpoint'}.`,
      range: r('model'),
      data: minTp ? { suggestedTp: minTp } : {},
    });
  } else if (refuses('no_kv_memory')) {
    const deficit =
      -s.memory.kvCacheBytes -
      (s.memory.requestedBytes -
        s.memory.weightsBytes -
        s.memory.activationPeakBytes -
        s.memory.nonTorchBytes -
        (s.memory.cudagraphInBudget ? s.memory.cudagraphBytes : 0));
    const need =
      s.memory.weightsBytes +
      s.memory.activationPeakBytes +
      s.memory.nonTorchBytes +
      (s.memory.cudagraphInBudget ? s.memory.cudagraphBytes : 0) +
      s.kv.bytesPerRequest;
    const util = Math.min(0.95, Math.ceil((need / s.memory.totalBytes) * 100) / 100);
    void deficit;
    out.push({
      code: CODES.noKvMemory,
      severity: 'error',
      message: `No memory left for the KV cache: ${fmtGiB(mem.requestedBytes)} budget - ${fmtGiB(mem.weightsBytes)} weights - ${fmtGiB(mem.activationPeakBytes)} activations - ${fmtGiB(mem.nonTorchBytes)} non-torch${mem.cudagraphInBudget ? ` - ${fmtGiB(mem.cudagraphBytes)} CUDA graphs` : ''} leaves nothing. vLLM stops with: "${st.error}"${util > sv.gpuMemoryUtilization && util <= 0.95 ? ` gpu_memory_utilization ${util} would fit one request.` : ' Use more GPUs or a smaller/quantized model.'}`,
      range: r('serving.gpu_memory_utilization', 'hardware.gpu', 'model'),
      data: util > sv.gpuMemoryUtilization && util <= 0.95 ? { suggestedUtilization: util } : {},
    });
  } else if (refuses('max_model_len')) {
    const est = st.estimatedMaxModelLen ?? 0;
    const suggested = est >= sv.blockSize ? Math.floor(est / sv.blockSize) * sv.blockSize : est;
    // An error only when the length is more than 5% beyond the expected KV cache: config-only KV estimates were within
    // 2.2% of vLLM's logs on docs/ACCURACY.md's cases, so a shortfall inside 5% is information (vLLM may start).
    const mayFit = sv.maxModelLen <= s.kv.capacityTokens * 1.05;
    out.push({
      code: CODES.maxModelLenTooLong,
      severity: mayFit ? 'info' : 'error',
      message: mayFit
        ? `Tight: one request of max_model_len ${fmtInt(sv.maxModelLen)} tokens is within 5% of the expected KV cache (${fmtInt(s.kv.capacityTokens)} tokens on ${fmtGiB(mem.kvCacheBytes)}), inside the estimate's error: whether vLLM starts depends on the overheads it measures at startup.${suggested > 0 ? ` max_model_len ${suggested} fits with the expected overheads.` : ''}`
        : `One request of max_model_len ${fmtInt(sv.maxModelLen)} tokens does not fit in the KV cache (${fmtInt(s.kv.capacityTokens)} tokens on ${fmtGiB(mem.kvCacheBytes)}). vLLM stops with: "${st.error}"${suggested > 0 ? ` The largest max_model_len that fits is ${suggested}.` : ''}`,
      range: r('serving.max_model_len', 'model'),
      data: { suggested, estimated: est },
    });
  }

  // V1 warms the sampler up after the KV cache and CUDA graphs are allocated, outside gpu_memory_utilization.
  const warm = st.findings.find((f) => f.kind === 'sampler_warmup_oom');
  if (warm) {
    out.push({
      code: CODES.samplerWarmupOom,
      severity: 'error',
      message: `The KV cache fits, but the sampler warm-up that follows needs about ${fmtGiB(Math.min(sv.maxNumSeqs, sv.maxNumBatchedTokens) * m.vocab * SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native'])} (${Math.min(sv.maxNumSeqs, sv.maxNumBatchedTokens)} requests x ${fmtInt(m.vocab)} vocab x ${SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native']} bytes on this version's ${s.behaviour?.samplerPath === 'flashinfer' ? 'FlashInfer path' : 'torch.sort path'}) beyond the ${fmtGiB(mem.requestedBytes)} budget. vLLM stops with: "${warm.error}"`,
      range: r('serving.gpu_memory_utilization', 'serving.max_num_seqs', 'model'),
    });
  }
  if (st.samplerWarmupTight) {
    const reqs = Math.min(sv.maxNumSeqs, sv.maxNumBatchedTokens);
    out.push({
      code: CODES.samplerWarmupOom,
      severity: 'info',
      message: `Tight: the sampler warm-up after the KV cache is allocated needs about ${fmtGiB(reqs * m.vocab * SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native'])} (${reqs} requests x ${fmtInt(m.vocab)} vocab x ${SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native']} bytes on this version's ${s.behaviour?.samplerPath === 'flashinfer' ? 'FlashInfer path' : 'torch.sort path'}), more than the expected ${fmtGiB(mem.totalBytes - mem.requestedBytes)} outside the budget leaves after the CUDA context${mem.cudagraphInBudget ? '' : ' and graphs'}, but within the estimate's range: whether vLLM starts depends on what it measures. A lower gpu_memory_utilization or max_num_seqs makes it certain.`,
      range: r('serving.gpu_memory_utilization', 'serving.max_num_seqs', 'model'),
    });
  }

  // Host RAM the settings pin (cpu_offload_gb, swap_space, KV offloading, CPU LoRA cache) against the pod's limit.
  const host = s.extras.hostRam;
  const limit = d.pod?.memoryLimit ?? null;
  if (limit && host.bytes > limit) {
    out.push({
      code: CODES.hostRamExceedsLimit,
      severity: 'error',
      message: `The settings pin ${fmtGiB(host.bytes)} of host RAM in this pod (${host.parts.map((p) => `${p.label} = ${fmtGiB(p.bytes)}`).join(', ')}), more than its memory limit of ${fmtGiB(limit)}, before Python, CUDA and the tokenizer take their share: the pod is OOM-killed.`,
      range: d.pod?.memoryLimitRange ?? r('serving.cpu_offload_gb', 'model'),
    });
  }
  for (const u of s.extras.unknowns)
    out.push({
      code: CODES.extrasUnknown,
      severity: 'info',
      message: `${u}; the KV cache is predicted without it.`,
      range: r('serving.speculative_config', 'model'),
    });
  // KV heads replicated (Hkv < tp): every rank stores a full copy of its head's KV.
  if (s.kv.kvHeadsReplicated) {
    out.push({
      code: CODES.kvHeadsReplicated,
      severity: 'warning',
      message: `The model has ${m.kvHeads} KV heads but tensor_parallel_size is ${sv.tp}: each KV head is replicated on ${sv.tp / m.kvHeads} GPUs, so KV per token per GPU stays ${fmtInt(s.kv.bytesPerTokenPerGpu)} bytes instead of shrinking. tensor_parallel_size ${m.kvHeads} with data_parallel_size ${sv.tp / m.kvHeads} stores ${sv.tp / m.kvHeads}x more tokens per GPU.`,
      range: tpRange,
      data: { suggestedTp: m.kvHeads },
    });
  }

  // KV-limited concurrency at the workload's context below max_num_seqs. A finding only for a workload the file
  // states; for the default 1000 + 200 tokens it is an information line. SGLang's max_running_requests default is
  // derived from its own token pool, not vLLM's max_num_seqs: unstated there, the rule stays silent.
  // One definition (verdict.ts concurrencyOf): blocks per request summed over KV groups at the workload's length, so a
  // sliding-window group holds only its window and a hybrid pool is not counted once per group.
  const seqsKnown = sv.engine === 'vllm' || d.serving.maxNumSeqs != null;
  const conc = concurrencyOf(a);
  if (st.ok && seqsKnown && conc) {
    const ctx = conc.workload_tokens;
    const fit = conc.at_workload;
    if (fit < sv.maxNumSeqs) {
      const stated = d.workloadStated === true;
      out.push({
        code: CODES.kvLimitsConcurrency,
        severity: stated ? 'warning' : 'info',
        message: `${roleOf(d)}The KV cache holds ${fmtInt(s.kv.capacityTokens)} tokens: only ${fmtInt(fit)} requests of ${fmtInt(ctx)} tokens (input + output${stated ? '' : ', an assumed workload: the file states none'}) run at once, fewer than ${sv.engine === 'sglang' ? 'max_running_requests' : 'max_num_seqs'} ${sv.maxNumSeqs}. The rest wait or get preempted. ${s.serving.kvCacheDtype === 'auto' ? 'kv_cache_dtype: fp8 doubles the tokens; ' : ''}more GPUs or a higher gpu_memory_utilization add room.`,
        range: r('serving.max_num_seqs', 'serving.kv_cache_dtype', 'hardware.gpu', 'model'),
        data: { concurrency: fit, ...(s.serving.kvCacheDtype === 'auto' ? { suggestedKvCacheDtype: 'fp8' } : {}) },
      });
    }
  }

  // GPU count versus parallel layout.
  const need = sv.tp * sv.pp * sv.dp;
  // Pods get these from podRules (k8sRules.ts), sized or not.
  if (!d.pod && d.gpuCount !== null && d.gpuCount !== need) {
    const fewer = d.gpuCount < need;
    out.push({
      code: CODES.gpuCountMismatch,
      severity: fewer ? 'error' : 'warning',
      message: `hardware.count is ${d.gpuCount} but tensor_parallel_size x pipeline_parallel_size x data_parallel_size = ${sv.tp} x ${sv.pp} x ${sv.dp} = ${need}.${fewer ? ' vLLM cannot place the workers.' : ` ${d.gpuCount - need} GPUs stay idle.`}`,
      range: r('hardware.count', 'serving.tensor_parallel_size'),
      data: { expected: need },
    });
  }
  if (!d.pod && d.gpusPerNode !== null && sv.tp > d.gpusPerNode && d.weightsNeedNodes === false) {
    out.push({
      code: CODES.tpAcrossNodes,
      severity: 'warning',
      message: `tensor_parallel_size ${sv.tp} spans more than one node (${d.gpusPerNode} GPUs per node): every layer's all-reduce crosses the network. Prefer tensor parallelism within a node and pipeline parallelism across nodes.`,
      range: tpRange,
    });
  }

  // Engine II: Little's Law, the SLO and the roofline at the operating point.
  out.push(...performanceRules(a, r));

  // CUDA graphs captured outside the budget need the headroom vLLM leaves.
  if (!mem.cudagraphInBudget && mem.cudagraphBytes > 0 && mem.totalBytes - mem.requestedBytes < mem.cudagraphBytes) {
    const safe = Math.floor(((mem.totalBytes - mem.cudagraphBytes - 0.5 * GiB) / mem.totalBytes) * 100) / 100;
    out.push({
      code: CODES.cudagraphExceedsMemory,
      severity: 'warning',
      message: `gpu_memory_utilization ${sv.gpuMemoryUtilization} leaves ${fmtGiB(mem.totalBytes - mem.requestedBytes)} outside vLLM's budget, less than the ~${fmtGiB(mem.cudagraphBytes)} CUDA graphs take after the KV cache is allocated: expect an out-of-memory error at graph capture. Use ${safe} or enforce_eager: true.`,
      range: r('serving.gpu_memory_utilization', 'hardware.gpu'),
      data: { suggestedUtilization: safe },
    });
  }
  return out;
}

/** Warnings from the performance model: queues that grow without bound, SLOs out of reach, decode far below the ridge. */
export function performanceRules(a: DeploymentAnalysis, r: (path: string, ...fallbacks: string[]) => Range): Diagnostic[] {
  const pv = a.performance;
  const p = pv?.performance;
  const c = pv?.capacity;
  const d = a.deployment;
  if (!p || !c || !a.sizing?.startup.ok) return [];
  const out: Diagnostic[] = [];
  const lambda = c.arrival_rate_rps;
  // The engine's verdict (capacity.overloaded): more instances needed than the file lets run. An unknown count or an
  // autoscaler without a stated ceiling claims nothing (the report says "replicas unknown"). Judged on an assumed
  // workload (the llmSizer.defaultWorkload setting), it is information.
  const ceiling = c.replicas_deployed_max;
  if (c.overloaded && ceiling !== null) {
    // Data-parallel ranks per copy the file counts: a plan or vLLM config counts its ranks itself (data_parallel_size
    // is its replica count), every other format counts copies of dp ranks each.
    const inst = deployedInstances(d, a.sizing.serving);
    const dp = d.format !== 'native' && d.format !== 'vllm-config' && inst.min > 0 && d.replicas > 0 ? inst.min / d.replicas : 1;
    out.push({
      code: CODES.littlesLawOverload,
      severity: d.workloadAssumed ? 'info' : 'warning',
      message: `${d.workloadAssumed ? 'For the assumed workload (llmSizer.defaultWorkload): ' : ''}At ${+lambda.toFixed(2)} requests/s, Little's Law (L = λW) needs ${c.replicas_needed} replicas: one replica serves at most ${c.max_rps_per_replica.toFixed(2)} requests/s (${fmtInt(c.concurrency_per_replica)} in flight, each taking W = ${c.request_latency_at_capacity_s.toFixed(2)} s = TTFT + output x TPOT), so the ${c.replicas_deployed_text} deployed serve ${(ceiling * c.max_rps_per_replica).toFixed(2)} requests/s${c.queue_unbounded ? ' and the queue grows without bound' : ''}. Deploy ${c.replicas_needed} replicas (${c.replicas_needed * c.gpus_per_replica} GPUs)${dp > 1 ? `: ${Math.ceil(c.replicas_needed / dp)} copies of data_parallel_size ${dp}` : ''}.`,
      range: r('workload.requests_per_second', 'replicas', 'serving.data_parallel_size', 'workload'),
      // The quick fix sets the file's replica count to ceil(needed / data-parallel ranks per replica).
      data: { replicasNeeded: c.replicas_needed, ranksPerReplica: dp, autoscaling: d.replicasMax !== undefined },
    });
  }
  const hasSlo = d.slo.ttftMs !== null || d.slo.tpotMs !== null;
  if (hasSlo && !c.meets_slo) {
    const why =
      c.reasons.filter((x) => /TTFT|TPOT|SLO/i.test(x))[0] ??
      c.reasons[0] ??
      `TPOT ${p.tpot_ms.toFixed(1)} ms, TTFT ${p.ttft_ms.toFixed(1)} ms at batch ${p.batch}`;
    out.push({
      code: CODES.sloUnreachable,
      severity: d.workloadAssumed ? 'info' : 'warning',
      message: `The SLO is not met: ${why}.`,
      range: r(d.slo.tpotMs !== null ? 'slo.tpot_ms' : 'slo.ttft_ms', 'slo'),
    });
  }
  // Decode far left of the ridge point: weights are streamed once per step for only a few sequences.
  const ridge = p.ridge_point_flop_per_byte;
  const ai = p.decode?.linear_intensity ?? 0;
  if (ridge > 0 && ai > 0 && ai < ridge / 20 && p.max_batch >= 4 * Math.max(1, p.batch)) {
    out.push({
      code: CODES.decodeBelowRidge,
      // A finding for a workload the file states; for the assumed default an information line.
      severity: d.workloadStated ? 'warning' : 'info',
      message: `Decode runs at batch ${p.batch}: about ${ai.toFixed(0)} FLOP/byte against a ridge point of ${ridge.toFixed(0)} FLOP/byte, so the GPU waits on memory and most of its compute is paid for but idle. More requests in flight per replica (the knee is at batch ${p.knee_batch}) raise throughput at little TPOT cost; fewer replicas serve the same load.`,
      range: r('workload.concurrency', 'workload.requests_per_second', 'serving.max_num_seqs', 'workload', 'model'),
      data: { kneeBatch: p.knee_batch },
    });
  }
  return out;
}
