// Every diagnostic code llm-sizer emits, with what it means and what to do: the one source for the docs pages
// (docs/diagnostics/<code>.md, written by scripts/diagnostic-docs.ts), the editor's "more information" link
// (codeDescription.href) and SARIF's rule descriptions. Codes are stable: users suppress them and other tools read
// them. Add a code here before emitting it; test/unit/registry.test.ts fails on an emitted code that is missing.

export type DiagnosticCategory =
  'yaml' | 'schema' | 'format' | 'model' | 'startup' | 'memory' | 'parallelism' | 'kubernetes' | 'performance' | 'security' | 'coverage';

export interface DiagnosticDoc {
  /** The severity the code is emitted with most often (some codes are an error in one case, a warning in another). */
  severity: 'error' | 'warning' | 'info';
  category: DiagnosticCategory;
  /** One line, as a heading. */
  title: string;
  /** One paragraph: what was found, why it matters for the deployment, what to change. */
  explanation: string;
  /** Where the behaviour comes from (a vLLM source file, a Kubernetes rule), when it is the engine's own check. */
  source?: string;
}

export const DIAGNOSTICS: Record<string, DiagnosticDoc> = {
  'yaml-syntax': {
    severity: 'error',
    category: 'yaml',
    title: 'YAML syntax error',
    explanation:
      "The document is not valid YAML, so nothing in it can be read. The message gives the parser's reason and the range points at the token where parsing failed. Reported only in files llm-sizer recognises (or that name apiVersion llm-sizer/...), so unrelated YAML stays quiet.",
  },
  'yaml-too-deep': {
    severity: 'warning',
    category: 'yaml',
    title: 'Document nested too deeply to read',
    explanation:
      'A YAML document nested deeper than llm-sizer reads (serving files are a few levels deep) was skipped to keep the editor responsive. Nothing in that document is checked.',
  },
  'file-not-utf8': {
    severity: 'warning',
    category: 'yaml',
    title: 'File is not UTF-8 text',
    explanation:
      'The file is UTF-16 or holds bytes that are not UTF-8 (binary data), so its deployments cannot be read reliably and nothing in it is checked. kubectl, Helm and vLLM read YAML as UTF-8: save it as UTF-8.',
  },
  'yaml-tab-indent': {
    severity: 'warning',
    category: 'yaml',
    title: 'Indented with tabs',
    explanation:
      'YAML forbids tabs for indentation, so kubectl and every YAML parser reject the file (or read a different structure). Indent with spaces; llm-sizer does not guess what the tabs meant.',
  },
  'cr-line-endings': {
    severity: 'info',
    category: 'yaml',
    title: 'Old Mac (CR-only) line endings',
    explanation:
      'Lines end with a bare carriage return. YAML reads CR as a line break, and so does llm-sizer, but git, diff and many tools see one long line, which makes reviews and patches unreliable. Save it with LF (or CRLF) line endings.',
  },
  'merge-conflict': {
    severity: 'error',
    category: 'yaml',
    title: 'Unresolved git merge conflict marker',
    explanation: 'A line starts with a git conflict marker (<<<<<<<, =======, >>>>>>>). Kubernetes and vLLM would reject the file; resolve the conflict first.',
  },
  'file-too-large': {
    severity: 'warning',
    category: 'coverage',
    title: 'File too large to check',
    explanation:
      'The file is larger than the size llm-sizer checks, so none of it is analysed. Serving files are a few kilobytes; split generated bundles or check the rendered manifests one by one.',
  },
  'document-too-large': {
    severity: 'warning',
    category: 'coverage',
    title: 'YAML document too large to check',
    explanation: 'One `---` document is larger than llm-sizer reads within its time budget; it is skipped and the rest of the file is checked.',
  },
  'analysis-incomplete': {
    severity: 'warning',
    category: 'coverage',
    title: 'Analysis stopped by its time budget',
    explanation:
      'Checking the file took longer than the per-edit budget, so the documents from this line on are not checked yet. Results of checked documents are kept, so each edit checks further. The CLI exits non-zero when an analysis is incomplete.',
  },
  'schema-unknown-key': {
    severity: 'warning',
    category: 'schema',
    title: 'Key the format does not have',
    explanation:
      "The key is not part of the format (native plan schema or vLLM's options), usually a typo. It is ignored; the message suggests the closest known key.",
  },
  'schema-missing-key': {
    severity: 'error',
    category: 'schema',
    title: 'Required key missing',
    explanation:
      "The native plan (or a format's required field) needs this key before the deployment can be read or sized, for example the model a plan serves. Add the key; the message names it and where it belongs.",
  },
  'schema-type': {
    severity: 'error',
    category: 'schema',
    title: 'Value of the wrong type',
    explanation: 'The value has the wrong type for its key (for example a string where a number is needed). vLLM or the plan reader would reject it.',
  },
  'schema-value': {
    severity: 'error',
    category: 'schema',
    title: 'Value not allowed',
    explanation: 'The value is not one of the values the key accepts (for example an unknown dtype). The message lists the accepted values.',
  },
  'schema-range': {
    severity: 'error',
    category: 'schema',
    title: 'Value out of range',
    explanation: 'The number is outside the range the key accepts (for example gpu_memory_utilization above 1).',
  },
  'invalid-value': {
    severity: 'error',
    category: 'format',
    title: 'Value the engine will not accept',
    explanation: 'The engine parses this option and refuses the value (for example a negative size or a utilization above 1), so the server does not start.',
    source: 'vllm/engine/arg_utils.py',
  },
  'flag-missing-value': {
    severity: 'error',
    category: 'format',
    title: 'Command-line option without its value',
    explanation:
      'The option expects a value but the command line ends, or the next word is another option. argparse exits with an error before the server starts.',
    source: 'Python argparse',
  },
  'ambiguous-flag': {
    severity: 'error',
    category: 'format',
    title: 'Abbreviated option that matches several options',
    explanation:
      'argparse accepts unambiguous prefixes of long options; this one matches more than one, so the command line is refused. Write the option in full.',
    source: 'Python argparse (allow_abbrev)',
  },
  'empty-flag-value': {
    severity: 'error',
    category: 'format',
    title: 'Option whose value expands to nothing',
    explanation:
      'The option is given with an empty value (for example `--kv-cache-memory-bytes=` or a `$(VAR)` that is empty), which the engine refuses or reads as a different setting. Give the value or remove the option.',
  },
  'flag-removed': {
    severity: 'warning',
    category: 'format',
    title: 'Option removed in this engine version',
    explanation:
      'The option no longer exists in the engine version the file runs; vLLM refuses unknown options, so the server does not start. The message names the version that removed it and what replaced it.',
    source: 'vLLM release notes and vllm/engine/arg_utils.py history',
  },
  'setting-ignored': {
    severity: 'warning',
    category: 'format',
    title: 'Setting the chart or engine never reads',
    explanation:
      'The setting is written where the Helm chart (or engine) does not read it, so it has no effect on the deployment. The message says where the chart reads it instead; a quick fix moves it.',
  },
  'env-var-not-expanded': {
    severity: 'warning',
    category: 'kubernetes',
    title: '$VAR that Kubernetes does not expand',
    explanation:
      'Kubernetes expands only `$(VAR)` in container `command`, `args` and `env` values; `$VAR` and `${VAR}` reach the process literally (unless a shell runs the command). Use `$(VAR)` or run the command through `sh -c`.',
    source: 'Kubernetes: Define dependent environment variables / container command and args',
  },
  'secret-in-plain-text': {
    severity: 'warning',
    category: 'security',
    title: 'Secret written in plain text',
    explanation:
      'An API key or access token (for example a Hugging Face `hf_...` token or `--api-key sk-...`) is written literally in the manifest, where anyone who can read the file or the pod spec can use it. Move it to a Kubernetes Secret and reference it with `valueFrom.secretKeyRef`.',
  },
  'cuda-visible-devices-too-few': {
    severity: 'error',
    category: 'parallelism',
    title: 'CUDA_VISIBLE_DEVICES shows fewer GPUs than the workers need',
    explanation:
      'CUDA_VISIBLE_DEVICES lists fewer GPUs than tensor_parallel_size x pipeline_parallel_size, so vLLM cannot place its workers and stops at startup. List enough devices or lower the parallel sizes.',
  },
  'no-gpu-requested': {
    severity: 'warning',
    category: 'kubernetes',
    title: 'Serving container requests no GPU',
    explanation:
      'The container runs a GPU serving engine but its resources request no `nvidia.com/gpu` (or `amd.com/gpu`), so the scheduler may place it on a node without GPUs and the engine fails to find a device.',
  },
  'gpu-selector-unknown': {
    severity: 'warning',
    category: 'kubernetes',
    title: 'GPU node selector that no GPU carries',
    explanation:
      'The node selector or affinity asks for a GPU product label value that no known GPU reports (for example a misspelled `nvidia.com/gpu.product`), so the pod stays Pending. Use the value the GPU feature discovery label carries on your nodes.',
  },
  'gpu-count-mismatch': {
    severity: 'error',
    category: 'parallelism',
    title: 'GPU count does not match the parallel layout',
    explanation:
      'The GPUs the deployment has differ from tensor_parallel_size x pipeline_parallel_size x data_parallel_size. Fewer GPUs than workers: vLLM cannot place them and stops (error). More: the extra GPUs stay idle (warning).',
    source: 'vllm/config/parallel.py, vllm/executor',
  },
  'gpus-exceed-node': {
    severity: 'warning',
    category: 'kubernetes',
    title: 'More GPUs per pod than the node has',
    explanation: 'The pod requests more GPUs than the node type it is pinned to carries, so it can never be scheduled.',
  },
  'tp-across-nodes': {
    severity: 'warning',
    category: 'parallelism',
    title: 'Tensor parallelism spans nodes',
    explanation:
      "tensor_parallel_size is larger than the GPUs of one node while the model would fit on one node: every layer's all-reduce crosses the network, which makes decode several times slower. Keep tensor parallelism within a node and use pipeline or data parallelism across nodes.",
  },
  'shm-too-small': {
    severity: 'warning',
    category: 'kubernetes',
    title: '/dev/shm too small for multi-GPU workers',
    explanation:
      "With tensor parallelism NCCL and vLLM's workers exchange data through shared memory; the container's default 64 MiB /dev/shm makes them fail or fall back to slow paths. Mount an emptyDir with medium Memory at /dev/shm.",
    source: 'vLLM docs: deploying with Kubernetes',
  },
  'unknown-model': {
    severity: 'info',
    category: 'model',
    title: 'Not sized: model unknown',
    explanation:
      'The model the file serves could not be identified (a container path, a model not in the catalog), so memory and performance are not sized. Nothing is wrong with the deployment; to size it, name a catalog id, add the model to `.llm-sizer/models/`, or point a native plan at a directory with its config.json.',
  },
  'unknown-gpu': {
    severity: 'error',
    category: 'model',
    title: 'GPU not in the catalog',
    explanation:
      'The GPU named is not one llm-sizer knows, so the deployment is not sized. Use a catalog name (see `llm-sizer gpus`) or describe it in `.llm-sizer/gpus/`.',
  },
  'no-gpu': {
    severity: 'info',
    category: 'coverage',
    title: 'Not sized: no GPU named',
    explanation:
      'The file names no GPU and no default is set, so nothing is sized. Name the GPU in the file (node selector, hardware.gpu) or set llmSizer.defaultGpu.',
  },
  'not-sized': {
    severity: 'info',
    category: 'coverage',
    title: 'Deployment found but not sized',
    explanation:
      'A serving deployment was recognised but cannot be sized; the message says why (for example the model is given only at run time). The other checks of the file still run.',
  },
  'value-unresolved': {
    severity: 'info',
    category: 'coverage',
    title: 'Value llm-sizer cannot resolve',
    explanation:
      'A value the sizing needs (for example the tensor-parallel size or the GPU count) comes from a template, an environment variable set elsewhere, or a runtime default of another engine, so it is unknown. Rules that depend on it stay silent instead of guessing; state the value in the file to have them checked.',
  },
  assumption: {
    severity: 'info',
    category: 'coverage',
    title: 'Sized with an assumption',
    explanation:
      'A value the file does not state was assumed to size the deployment (the GPU from the llmSizer.defaultGpu setting, the engine version, the workload). The message says what was assumed and which setting or key states it.',
  },
  'model-config-invalid': {
    severity: 'error',
    category: 'model',
    title: 'Model configuration cannot be read',
    explanation:
      "The model's config.json (catalog, local or inline) lacks a field the sizing needs or has a value outside what any real model has. The message names the field.",
  },
  'quantization-mismatch': {
    severity: 'error',
    category: 'model',
    title: 'Quantization method the checkpoint does not carry',
    explanation:
      'The `quantization` setting names a method the checkpoint\'s quantization_config does not use. vLLM stops at startup with "Quantization method specified in the model config (...) does not match the quantization method specified in the `quantization` argument (...)". Remove the setting or use a checkpoint quantized with that method.',
    source: 'vllm/config/model.py (_verify_quantization)',
  },
  'weights-exceed-memory': {
    severity: 'error',
    category: 'startup',
    title: 'Weights do not fit in the GPU memory budget',
    explanation:
      'The model weights per GPU exceed total memory x gpu_memory_utilization, so loading fails with CUDA out of memory. Use more GPUs (tensor or pipeline parallelism) or a quantized checkpoint.',
    source: 'vllm/v1/worker/gpu_worker.py (determine_available_memory)',
  },
  'no-kv-memory': {
    severity: 'error',
    category: 'startup',
    title: 'No memory left for the KV cache',
    explanation:
      'After weights, the profiled activation peak and non-torch memory, the budget leaves no room for KV cache blocks. vLLM stops with "No available memory for the cache blocks". Raise gpu_memory_utilization if headroom allows, or use more GPUs or a smaller model.',
    source: 'vllm/v1/core/kv_cache_utils.py (check_enough_kv_cache_memory)',
  },
  'max-model-len-too-long': {
    severity: 'error',
    category: 'startup',
    title: 'One request of max_model_len does not fit in the KV cache',
    explanation:
      'The KV cache cannot hold even one sequence of max_model_len tokens. vLLM stops at startup and prints the largest length that fits (the message repeats its estimate). Lower max_model_len or add KV memory.',
    source: 'vllm/v1/core/kv_cache_utils.py (check_enough_kv_cache_memory)',
  },
  'context-beyond-model': {
    severity: 'error',
    category: 'startup',
    title: 'max_model_len beyond what the model supports',
    explanation:
      "max_model_len is larger than the model's max_position_embeddings (after rope scaling). vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 is set, and quality past the trained length is not guaranteed.",
    source: 'vllm/config/model.py (_get_and_verify_max_len)',
  },
  'heads-not-divisible': {
    severity: 'error',
    category: 'startup',
    title: 'Attention heads or experts not divisible by the parallel size',
    explanation:
      'vLLM shards attention heads (and experts under expert parallelism) evenly across tensor-parallel ranks; when the count does not divide, it refuses to start. The message lists the sizes that work.',
    source: 'vllm/config/model.py (verify_with_parallel_config)',
  },
  'dtype-unsupported': {
    severity: 'error',
    category: 'startup',
    title: 'Data type the GPU cannot run',
    explanation:
      'The dtype (bfloat16, FP8 weights or an FP8 KV cache) needs a newer compute capability than the GPU has; vLLM refuses it at startup. The message says which dtype works.',
    source: 'vllm/platforms/cuda.py (check_if_supports_dtype)',
  },
  'cudagraph-exceeds-memory': {
    severity: 'warning',
    category: 'memory',
    title: 'CUDA graphs may not fit after the KV cache',
    explanation:
      'In this vLLM version CUDA graphs are captured after the KV cache is allocated, outside the gpu_memory_utilization budget; the headroom left is smaller than the graphs need, so capture may fail with out of memory. Lower gpu_memory_utilization or set enforce_eager.',
  },
  'sampler-warmup-oom': {
    severity: 'error',
    category: 'startup',
    title: 'Out of memory in the sampler warm-up after the KV cache is allocated',
    explanation:
      'vLLM V1 allocates the KV cache, then warms the sampler up with max_num_seqs dummy requests (logits, sort values and indices per vocabulary entry) in the memory left outside the gpu_memory_utilization budget. When even the favourable estimate of that headroom is too small, it dies with "CUDA out of memory occurred when warming up sampler". Inside the estimate\'s range the same code is an information line that says the start is tight. Lower gpu_memory_utilization or max_num_seqs.',
    source: 'vllm/v1/worker/gpu_model_runner.py (_dummy_sampler_run), vllm#15105, llm-d#787',
  },
  'host-ram-exceeds-limit': {
    severity: 'error',
    category: 'memory',
    title: 'Host memory pinned by the settings exceeds the pod limit',
    explanation:
      "CPU offload (cpu_offload_gb), swap_space, KV offloading and LoRA adapters kept on CPU pin host memory per pod; when their sum exceeds the container's memory limit, before Python, CUDA and the tokenizer take their share, the pod is OOM-killed. Raise the limit or lower the offload sizes.",
  },
  'memory-term-unknown': {
    severity: 'info',
    category: 'coverage',
    title: 'A memory term the sizing cannot estimate',
    explanation:
      'A setting adds GPU memory llm-sizer cannot estimate from the file (for example a speculative-decoding draft model that is not in the catalog), so the KV cache is predicted without it and is likely a little high. Name a catalog model or add the draft model to .llm-sizer/models/ to have it counted.',
  },
  'kv-heads-replicated': {
    severity: 'warning',
    category: 'memory',
    title: 'KV heads replicated across tensor-parallel ranks',
    explanation:
      'The model has fewer KV heads than tensor_parallel_size, so each KV head is stored on several GPUs and KV memory per token does not shrink with more GPUs. tensor_parallel_size equal to the KV heads with data parallelism for the rest stores more tokens per GPU.',
  },
  'kv-limits-concurrency': {
    severity: 'warning',
    category: 'memory',
    title: 'KV cache limits concurrency below max_num_seqs',
    explanation:
      "At the workload's request length the KV cache holds fewer requests than max_num_seqs, so the rest wait or are preempted. Reported as a warning only when the file states a workload; otherwise as information. An fp8 KV cache, more GPUs or a higher gpu_memory_utilization add room.",
  },
  'littles-law-overload': {
    severity: 'warning',
    category: 'performance',
    title: 'Arrival rate exceeds what the replicas serve',
    explanation:
      "By Little's Law (L = λW) the deployed replicas serve fewer requests per second than arrive, so the queue grows without bound and latency with it. Deployed replicas are engine instances: the file's replica count (spec.replicas, replicaCount, num_replicas, a LeaderWorkerSet's groups) times data_parallel_size; an autoscaler is judged at its maximum, and an unknown count (a template placeholder, a DaemonSet) is never called an overload. Information only when the workload is the llmSizer.defaultWorkload setting rather than the file's. The quick fix sets the file's replica count (data_parallel_size in a plan or vLLM config) to the number the message gives.",
  },
  'slo-unreachable': {
    severity: 'warning',
    category: 'performance',
    title: 'Latency SLO not met',
    explanation:
      'The predicted TTFT or TPOT at the workload exceeds the SLO the file states. The message says which one and by how much; fewer requests per replica, more replicas or faster GPUs bring it down.',
  },
  'decode-below-ridge': {
    severity: 'warning',
    category: 'performance',
    title: 'Decode far below the roofline ridge point',
    explanation:
      'Decode runs at a small batch, so each step streams all weights for a few tokens: the GPU waits on memory while most of its compute is idle. More requests in flight per replica (up to the knee) raise throughput at little latency cost.',
  },
};

/** The docs page of a code, relative to the extension or repository root. */
export function diagnosticDocPath(code: string): string {
  return `docs/diagnostics/${code}.md`;
}
