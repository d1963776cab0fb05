// The servers the LSP benchmarks start, and the measurements they share (bench/lsp.bench.ts, bench/hostile.bench.ts).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_NODE_FLAGS } from '../server/src/lsp/serverLaunch';
import { LspClient } from '../test/lsp/lspClient';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Peak resident set size of a process (VmHWM), MiB; NaN once the process is gone. */
export function vmHwmMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** dist/server.js over stdio, started with the node flags the VS Code client gives it (server/src/lsp/serverLaunch.ts). */
export function startLlmSizer(nodeFlags: readonly string[] = SERVER_NODE_FLAGS): Promise<LspClient> {
  return LspClient.start({ settings: null, args: [...nodeFlags, 'dist/server.js', '--stdio'] });
}

/** yaml-language-server at `bin`, given the project's deployment schema for every YAML file. */
export async function startYamlLs(bin: string, nodePath?: string): Promise<LspClient> {
  const schema = pathToFileURL(resolve('schemas/deployment.schema.json')).href;
  const env = nodePath ? { ...process.env, NODE_PATH: nodePath } : process.env;
  const c = await LspClient.start({ command: process.execPath, args: [bin, '--stdio'], settings: null, env });
  await c.conn.sendNotification('workspace/didChangeConfiguration', {
    settings: { yaml: { validate: true, hover: true, completion: true, schemas: { [schema]: ['*.yaml'] } } },
  });
  return c;
}

export const YAML_LS_BIN = 'node_modules/yaml-language-server/bin/yaml-language-server';

/**
 * A temp copy of yaml-language-server with its validation delay (yamlSettings.validationDelayMs = 200) patched to 0,
 * and how to start it; `dispose` removes the copy.
 */
export function undelayedYamlLs(): { start: () => Promise<LspClient>; dispose: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), 'yls-nodelay-'));
  const copy = join(tmp, 'yaml-language-server');
  cpSync('node_modules/yaml-language-server', copy, { recursive: true });
  const settingsJs = join(copy, 'out/server/src/yamlSettings.js');
  const patched = readFileSync(settingsJs, 'utf8').replace('this.validationDelayMs = 200;', 'this.validationDelayMs = 0;');
  if (!patched.includes('this.validationDelayMs = 0;')) throw new Error('could not patch yaml-language-server validation delay');
  writeFileSync(settingsJs, patched);
  return {
    start: () => startYamlLs(join(copy, 'bin/yaml-language-server'), resolve('node_modules')),
    dispose: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
