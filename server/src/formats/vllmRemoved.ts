// vLLM command-line flags that later releases removed: argparse then refuses them ("unrecognized arguments") and
// the server does not start. Versions from vLLM's git history (the pull requests named beside each).

export interface RemovedFlag {
  /** First release without the flag (a conservative bound when the PR landed near a release cut). */
  removedIn: string;
  /** store_true flag (takes no value). */
  flag: boolean;
  /** What replaces it, for the message. */
  instead: string;
}

export const VLLM_REMOVED_FLAGS: Record<string, RemovedFlag> = {
  // PR #22138 "[V0 Deprecation] Remove multi-step scheduling" (merged 2025-08-03) and #22779 (2025-08-13).
  num_scheduler_steps: { removedIn: '0.10.2', flag: false, instead: 'drop it: the V1 engine schedules every step (async scheduling: --async-scheduling)' },
  // PR #25543 "[V0 Deprecation] Remove max_seq_len_to_capture" (released in 0.11.0).
  max_seq_len_to_capture: { removedIn: '0.11.0', flag: false, instead: 'use --max-cudagraph-capture-size (compilation_config) instead' },
  // PR #8704 deprecated it in 0.6.x (block manager v2 became the only one); #13492 removed the last references (2025-02).
  use_v2_block_manager: { removedIn: '0.8.0', flag: true, instead: 'drop it: block manager v2 is the only one' },
};
