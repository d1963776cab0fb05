// How the language server process is started: the VS Code client (client/src/extension.ts) and the language-server
// benchmark (bench/lsp.bench.ts) both read this, so the benchmark measures the server as the extension runs it.
// No vscode import here.

/**
 * Node/V8 flags for the server process. `--max-semi-space-size=1` caps V8's young generation at 2 x 1 MiB: by
 * default it grows to 2 x 16 MiB while the user types (each edit of a 5,000-line file allocates about 1 MB of
 * short-lived parse results), and that young-generation slack was most of the server's peak RSS (105 MiB on the
 * 4,991-line benchmark document, 80 MiB with the flag; bench/RESULTS.md). V8 reads it only at process start, so it
 * has to be on the command line; setting it later with v8.setFlagsFromString has no effect.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
