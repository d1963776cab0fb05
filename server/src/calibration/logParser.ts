// Reads a pasted vLLM startup log (V0 and V1 formats) into the numbers vLLM measured and printed. Pure.

export interface ParsedLog {
  version: string | null;
  model: string | null;
  tp: number | null;
  maxModelLen: number | null;
  gpuMemoryUtilization: number | null;
  totalMemoryGiB: number | null;
  weightsGiB: number | null;
  activationPeakGiB: number | null;
  nonTorchGiB: number | null;
  cudagraphGiB: number | null;
  availableKvGiB: number | null;
  numGpuBlocks: number | null;
  kvTokens: number | null;
  maxConcurrency: number | null;
  concurrencyTokens: number | null;
  error: string | null;
  engine: 'V0' | 'V1' | null;
}

const num = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const v = Number(s.replace(/,/g, ''));
  return Number.isFinite(v) ? v : null;
};

function strip(line: string): string {
  // ANSI colours and `(EngineCore_DP0 pid=1) INFO 10-03 16:22:17 [file.py:298]` prefixes.
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, '').trim();
}

export function parseVllmLog(text: string): ParsedLog {
  const r: ParsedLog = {
    version: null,
    model: null,
    tp: null,
    maxModelLen: null,
    gpuMemoryUtilization: null,
    totalMemoryGiB: null,
    weightsGiB: null,
    activationPeakGiB: null,
    nonTorchGiB: null,
    cudagraphGiB: null,
    availableKvGiB: null,
    numGpuBlocks: null,
    kvTokens: null,
    maxConcurrency: null,
    concurrencyTokens: null,
    error: null,
    engine: null,
  };
  let peakTorch: number | null = null;
  for (const raw of text.split(/\r?\n/).slice(0, 200_000)) {
    const line = strip(raw);
    if (!line) continue;
    let m: RegExpExecArray | null;
    if (/EngineCore|gpu_worker\.py|v1\//.test(line)) r.engine ??= 'V1';
    if ((m = /vLLM API server version ([\w.+-]+)/.exec(line)) || (m = /Initializing (?:an LLM engine|a V1 LLM engine) \(v?([\w.+-]+)\)/.exec(line)))
      r.version = m[1];
    if ((m = /model='([^']+)'/.exec(line))) r.model ??= m[1];
    if ((m = /tensor_parallel_size=(\d+)/.exec(line))) r.tp ??= num(m[1]);
    if ((m = /max_seq_len=(\d+)/.exec(line))) r.maxModelLen ??= num(m[1]);
    if ((m = /(?:Loading model weights took|Model loading took) ([\d.]+) ?(GiB|GB)/.exec(line))) r.weightsGiB = num(m[1]); // V0 printed GiB labelled "GB"
    if ((m = /Memory profiling results: (.*)$/.exec(line))) {
      const kv = Object.fromEntries([...m[1].matchAll(/(\w+)=([\d.]+)/g)].map((x) => [x[1], Number(x[2])]));
      r.engine ??= 'V0';
      if (kv.total_gpu_memory) r.totalMemoryGiB = kv.total_gpu_memory;
      if (kv.peak_torch_memory) peakTorch = kv.peak_torch_memory;
      if (kv.non_torch_memory !== undefined) r.nonTorchGiB = kv.non_torch_memory;
      if (kv.kv_cache_size !== undefined) r.availableKvGiB = kv.kv_cache_size;
      if (kv.gpu_memory_utilization) r.gpuMemoryUtilization = kv.gpu_memory_utilization;
    }
    if ((m = /total_gpu_memory \(([\d.]+) ?GiB\) x gpu_memory_utilization \(([\d.]+)\)/.exec(line))) {
      r.totalMemoryGiB = num(m[1]);
      r.gpuMemoryUtilization = num(m[2]);
    }
    if (
      (m =
        /model weights take ([\d.]+) ?GiB; non_torch_memory takes ([\d.]+) ?GiB; PyTorch activation peak memory takes ([\d.]+) ?GiB; the rest of the memory reserved for KV Cache is (-?[\d.]+) ?GiB/.exec(
          line,
        ))
    ) {
      // Several TP ranks print this line; vLLM uses the smallest KV across ranks.
      r.weightsGiB = num(m[1]);
      r.nonTorchGiB = Math.max(r.nonTorchGiB ?? 0, num(m[2]) ?? 0);
      r.activationPeakGiB = num(m[3]);
      const kv = num(m[4]);
      r.availableKvGiB = r.availableKvGiB === null || (kv !== null && kv < r.availableKvGiB) ? kv : r.availableKvGiB;
    }
    if ((m = /Available KV cache memory: (-?[\d.]+) ?GiB/.exec(line))) r.availableKvGiB = num(m[1]);
    if ((m = /GPU KV cache size: ([\d,]+) tokens/.exec(line))) r.kvTokens = num(m[1]);
    if ((m = /# (?:GPU|CUDA|cuda|gpu) blocks: ([\d,]+)/.exec(line))) r.numGpuBlocks = num(m[1]);
    if ((m = /Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x/.exec(line))) {
      r.concurrencyTokens = num(m[1]);
      r.maxConcurrency = num(m[2]);
    }
    if ((m = /Graph capturing finished in [\d.]+ secs?, took (-?[\d.]+) GiB/.exec(line))) r.cudagraphGiB = num(m[1]);
    if ((m = /(The model's max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)\..*)$/.exec(line))) {
      r.error = m[1];
      r.maxModelLen ??= num(m[2]);
      r.kvTokens ??= num(m[3]);
    }
    if ((m = /(To serve at least one request with the models's max seq len \((\d+)\).*)$/.exec(line))) {
      r.error = m[1];
      r.maxModelLen ??= num(m[2]);
    }
    if ((m = /(No available memory for the cache blocks\..*)$/.exec(line))) r.error = m[1];
  }
  if (peakTorch !== null && r.weightsGiB !== null && r.activationPeakGiB === null) r.activationPeakGiB = Math.max(0, peakTorch - r.weightsGiB);
  if (r.kvTokens === null && r.numGpuBlocks !== null) r.kvTokens = r.numGpuBlocks * 16;
  if (r.maxModelLen === null && r.concurrencyTokens !== null) r.maxModelLen = r.concurrencyTokens;
  return r;
}

/** The native plan's `calibration:` block for these measurements (YAML text). */
export function calibrationYaml(p: ParsedLog): string {
  const f = (v: number | null) => (v === null ? 'null' : String(Math.round(v * 10000) / 10000));
  return [
    'calibration:',
    `  total_memory_gib: ${f(p.totalMemoryGiB)}`,
    `  weights_gib: ${f(p.weightsGiB)}`,
    `  activation_peak_gib: ${f(p.activationPeakGiB)}`,
    `  non_torch_gib: ${f(p.nonTorchGiB)}`,
    `  cudagraph_gib: ${f(p.cudagraphGiB)}`,
    ...(p.availableKvGiB !== null ? [`  available_kv_gib: ${f(p.availableKvGiB)}`] : []),
  ].join('\n');
}
