// vLLM's CLI long options that matter for sizing, and the rest it accepts (so we can say "unknown option").
import { VLLM_SIZING_OPTIONS } from './servingKeys';

export { VLLM_SIZING_OPTIONS } from './servingKeys';

/** Short aliases argparse accepts (vllm/engine/arg_utils.py). */
export const VLLM_SHORT_OPTIONS: Record<string, string> = { tp: 'tensor_parallel_size', pp: 'pipeline_parallel_size', dp: 'data_parallel_size', q: 'quantization' };

/** Other vLLM options (engine and OpenAI server) that do not change sizing but are valid. */
export const VLLM_OTHER_OPTIONS = [
  'model', 'served_model_name', 'tokenizer', 'tokenizer_mode', 'revision', 'code_revision', 'tokenizer_revision', 'trust_remote_code',
  'download_dir', 'load_format', 'config_format', 'seed', 'host', 'port', 'uvicorn_log_level', 'api_key', 'allowed_origins',
  'chat_template', 'response_role', 'ssl_keyfile', 'ssl_certfile', 'root_path', 'middleware', 'enable_auto_tool_choice',
  'tool_call_parser', 'reasoning_parser', 'max_logprobs', 'disable_log_stats', 'disable_log_requests', 'enable_log_requests',
  'swap_space', 'cpu_offload_gb', 'num_gpu_blocks_override', 'max_seq_len_to_capture', 'disable_custom_all_reduce',
  'enable_chunked_prefill', 'speculative_config', 'num_scheduler_steps', 'scheduling_policy', 'distributed_executor_backend',
  'worker_cls', 'limit_mm_per_prompt', 'mm_processor_kwargs', 'enable_lora', 'max_loras', 'max_lora_rank', 'lora_modules',
  'rope_scaling', 'rope_theta', 'hf_overrides', 'override_generation_config', 'generation_config', 'guided_decoding_backend',
  'compilation_config', 'kv_transfer_config', 'kv_events_config', 'kv_cache_memory', 'kv_cache_memory_bytes', 'calculate_kv_scales',
  'max_parallel_loading_workers', 'ray_workers_use_nsight', 'disable_sliding_window', 'disable_cascade_attn', 'disable_hybrid_kv_cache_manager',
  'skip_tokenizer_init', 'enable_sleep_mode', 'async_scheduling', 'data_parallel_size_local', 'data_parallel_address',
  'data_parallel_rpc_port', 'data_parallel_backend', 'headless', 'api_server_count', 'prefix_caching_hash_algo', 'long_prefill_token_threshold',
  'max_num_partial_prefills', 'cuda_graph_sizes', 'max_cudagraph_capture_size', 'enable_eplb', 'eplb_config', 'expert_placement_strategy',
  'attention_backend', 'logits_processors', 'disable_frontend_multiprocessing', 'enable_request_id_headers', 'return_tokens_as_token_ids',
  'enable_prompt_tokens_details', 'enable_server_load_tracking', 'uds', 'otlp_traces_endpoint', 'collect_detailed_traces', 'model_impl',
  'pipeline_parallel_size', 'decode_context_parallel_size', 'prefill_context_parallel_size', 'enable_dbo', 'tokenizer_pool_size',
  'max_long_partial_prefills', 'mamba_ssm_cache_dtype', 'mamba_cache_dtype', 'allowed_local_media_path', 'task', 'runner', 'convert',
];

export const VLLM_ALL_OPTIONS = new Set<string>([...Object.keys(VLLM_SIZING_OPTIONS), ...VLLM_OTHER_OPTIONS]);

export function snake(key: string): string {
  return key.replace(/^-+/, '').replace(/-/g, '_');
}
