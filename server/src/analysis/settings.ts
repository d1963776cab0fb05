// Settings of the `llmSizer` section and their defaults: the language server reads them from the client, the CLI
// uses the defaults. Pure data.

/** Settings the server reads (section `llmSizer`). */
export interface ServerSettings {
  defaultGpu: string | null;
  defaultEngineVersion: string | null;
  gpuPrices: Record<string, number>;
  catalogFolders: string[];
  enable: boolean;
  /** Workload assumed for files that state none (Kubernetes manifests, Helm values, vLLM configs): labelled assumed. */
  defaultWorkload: AssumedWorkload | null;
}

/** The llmSizer.defaultWorkload setting (CLI --workload): the native plan's workload keys. */
export interface AssumedWorkload {
  requests_per_second?: number;
  concurrency?: number;
  input_tokens?: number;
  output_tokens?: number;
  prefix_cache_hit_rate?: number;
}

/** Bounds of each key: those a plan's workload is checked against (analysis/inputBounds.ts; tokens up to 2^31). */
const WORKLOAD_KEYS: Record<keyof AssumedWorkload, [number, number]> = {
  requests_per_second: [0, 1e6],
  concurrency: [1, 1e7],
  input_tokens: [0, 2 ** 31],
  output_tokens: [0, 2 ** 31],
  prefix_cache_hit_rate: [0, 1],
};

/**
 * The setting's value made safe: known keys with finite numbers in bounds, null when nothing usable remains. `errors`
 * (when given) collects what was dropped, for the CLI's usage error.
 */
export function assumedWorkloadOf(raw: unknown, errors?: string[]): AssumedWorkload | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const out: AssumedWorkload = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const b = WORKLOAD_KEYS[k as keyof AssumedWorkload];
    if (!b) errors?.push(`unknown key ${k} (use ${Object.keys(WORKLOAD_KEYS).join(', ')})`);
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < b[0] || v > b[1]) errors?.push(`${k} must be a number from ${b[0]} to ${b[1]}`);
    else out[k as keyof AssumedWorkload] = v;
  }
  return Object.keys(out).length ? out : null;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  defaultGpu: 'H100',
  defaultEngineVersion: null,
  gpuPrices: {},
  catalogFolders: ['.llm-sizer'],
  enable: true,
  defaultWorkload: null,
};
