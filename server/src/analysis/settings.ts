// Settings of the `llmSizer` section and their defaults: the language server reads them from the client, the CLI
// uses the defaults. Pure data.

/** Settings the server reads (section `llmSizer`). */
export interface ServerSettings {
  defaultGpu: string | null;
  defaultEngineVersion: string | null;
  gpuPrices: Record<string, number>;
  catalogFolders: string[];
  enable: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  defaultGpu: 'H100',
  defaultEngineVersion: null,
  gpuPrices: {},
  catalogFolders: ['.llm-sizer'],
  enable: true,
};
