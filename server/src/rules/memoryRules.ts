// Rules on where memory goes once the engine starts: host RAM against the pod's limit, memory terms not modelled, KV
// heads replicated over tensor-parallel ranks, the KV cache limiting concurrency, and CUDA graphs outside the budget.
import { concurrencyOf } from '../analysis/verdict';
import { fmtGiB, fmtInt, GiB } from '../engine/units';
import { CODES } from './codes';
import { roleOf } from './k8sRules';
import type { Rule, SizedDeployment } from './rule';

/** Host RAM the settings pin (cpu_offload_gb, swap_space, KV offloading, CPU LoRA cache) against the pod's limit. */
export const hostRamExceedsLimit: Rule<SizedDeployment> = {
  code: CODES.hostRamExceedsLimit,
  check: ({ d, s, r }) => {
    const host = s.extras.hostRam;
    const limit = d.pod?.memoryLimit ?? null;
    if (!limit || host.bytes <= limit) return null;
    return {
      code: CODES.hostRamExceedsLimit,
      severity: 'error',
      message: `The settings pin ${fmtGiB(host.bytes)} of host RAM in this pod (${host.parts.map((p) => `${p.label} = ${fmtGiB(p.bytes)}`).join(', ')}), more than its memory limit of ${fmtGiB(limit)}, before Python, CUDA and the tokenizer take their share: the pod is OOM-killed.`,
      range: d.pod?.memoryLimitRange ?? r('serving.cpu_offload_gb', 'model'),
    };
  },
};

/** Memory terms the settings add but the engine model does not size: one information line each. */
export const memoryTermsUnknown: Rule<SizedDeployment> = {
  code: CODES.extrasUnknown,
  check: ({ s, r }) =>
    s.extras.unknowns.map((u) => ({
      code: CODES.extrasUnknown,
      severity: 'info',
      message: `${u}; the KV cache is predicted without it.`,
      range: r('serving.speculative_config', 'model'),
    })),
};

/** KV heads replicated (Hkv < tp): every rank stores a full copy of its head's KV. */
export const kvHeadsReplicated: Rule<SizedDeployment> = {
  code: CODES.kvHeadsReplicated,
  applies: ({ s }) => s.kv.kvHeadsReplicated,
  check: ({ s, m, sv, tpRange }) => ({
    code: CODES.kvHeadsReplicated,
    severity: 'warning',
    message: `The model has ${m.kvHeads} KV heads but tensor_parallel_size is ${sv.tp}: each KV head is replicated on ${sv.tp / m.kvHeads} GPUs, so KV per token per GPU stays ${fmtInt(s.kv.bytesPerTokenPerGpu)} bytes instead of shrinking. tensor_parallel_size ${m.kvHeads} with data_parallel_size ${sv.tp / m.kvHeads} stores ${sv.tp / m.kvHeads}x more tokens per GPU.`,
    range: tpRange,
    data: { suggestedTp: m.kvHeads },
  }),
};

/**
 * KV-limited concurrency at the workload's context below max_num_seqs. A finding only for a workload the file
 * states; for the default 1000 + 200 tokens it is an information line. SGLang's max_running_requests default is
 * derived from its own token pool, not vLLM's max_num_seqs: unstated there, the rule stays silent.
 * One definition (verdict.ts concurrencyOf): blocks per request summed over KV groups at the workload's length, so a
 * sliding-window group holds only its window and a hybrid pool is not counted once per group.
 */
export const kvLimitsConcurrency: Rule<SizedDeployment> = {
  code: CODES.kvLimitsConcurrency,
  applies: ({ st, sv, d }) => st.ok && (sv.engine === 'vllm' || d.serving.maxNumSeqs != null),
  check: ({ a, d, s, sv, r }) => {
    const conc = concurrencyOf(a);
    if (!conc) return null;
    const ctx = conc.workload_tokens;
    const fit = conc.at_workload;
    if (fit >= sv.maxNumSeqs) return null;
    const stated = d.workloadStated === true;
    // Each server by its own names: TGI caps requests with MAX_CONCURRENT_REQUESTS and sizes its budget with
    // CUDA_MEMORY_FRACTION; its FP8 KV is KV_CACHE_DTYPE=fp8_e4m3fn (no vLLM-style fix applies).
    const tgi = d.serving.launcher === 'tgi';
    const cap = tgi ? 'MAX_CONCURRENT_REQUESTS' : sv.engine === 'sglang' ? 'max_running_requests' : 'max_num_seqs';
    const fp8 = s.serving.kvCacheDtype === 'auto' ? (tgi ? 'KV_CACHE_DTYPE=fp8_e4m3fn doubles the tokens; ' : 'kv_cache_dtype: fp8 doubles the tokens; ') : '';
    return {
      code: CODES.kvLimitsConcurrency,
      severity: stated ? 'warning' : 'info',
      message: `${roleOf(d)}The KV cache holds ${fmtInt(s.kv.capacityTokens)} tokens: only ${fmtInt(fit)} requests of ${fmtInt(ctx)} tokens (input + output${stated ? '' : ', an assumed workload: the file states none'}) run at once, fewer than ${cap} ${sv.maxNumSeqs}. The rest wait or get preempted. ${fp8}more GPUs or a higher ${tgi ? 'CUDA_MEMORY_FRACTION' : 'gpu_memory_utilization'} add room.`,
      range: r('serving.max_num_seqs', 'serving.kv_cache_dtype', 'hardware.gpu', 'model'),
      data: { concurrency: fit, ...(s.serving.kvCacheDtype === 'auto' && !tgi ? { suggestedKvCacheDtype: 'fp8' } : {}) },
    };
  },
};

/** CUDA graphs captured outside the budget need the headroom vLLM leaves. */
export const cudagraphExceedsMemory: Rule<SizedDeployment> = {
  code: CODES.cudagraphExceedsMemory,
  applies: ({ mem }) => !mem.cudagraphInBudget && mem.cudagraphBytes > 0 && mem.totalBytes - mem.requestedBytes < mem.cudagraphBytes,
  check: ({ sv, mem, r }) => {
    const safe = Math.floor(((mem.totalBytes - mem.cudagraphBytes - 0.5 * GiB) / mem.totalBytes) * 100) / 100;
    return {
      code: CODES.cudagraphExceedsMemory,
      severity: 'warning',
      message: `gpu_memory_utilization ${sv.gpuMemoryUtilization} leaves ${fmtGiB(mem.totalBytes - mem.requestedBytes)} outside vLLM's budget, less than the ~${fmtGiB(mem.cudagraphBytes)} CUDA graphs take after the KV cache is allocated: expect an out-of-memory error at graph capture. Use ${safe} or enforce_eager: true.`,
      range: r('serving.gpu_memory_utilization', 'hardware.gpu'),
      data: { suggestedUtilization: safe },
    };
  },
};
