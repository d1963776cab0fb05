// Reads a model given as a local directory holding config.json. The only file I/O the pipeline uses, injected.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LocalConfigOptions {
  /** Directory relative paths are resolved against (the YAML file's folder). */
  baseDir: string;
}

/**
 * The reader in an untrusted (restricted-mode) workspace: touches no file and says why the model is not
 * sized, so the user knows trusting the workspace is the fix rather than a missing or broken config.json.
 */
export function restrictedConfigReader(): (p: string) => { error: string } {
  return (p: string) => ({
    error: `Restricted mode: local model directories are not read, so "${p}" is not sized. Trust the workspace (Workspaces: Manage Workspace Trust) to read its config.json.`,
  });
}

export function localConfigReader(o: LocalConfigOptions): (p: string) => { config: Record<string, unknown> } | { error: string } {
  return (p: string) => {
    const expanded = p.startsWith('~') ? path.join(os.homedir(), p.slice(1)) : p;
    const dir = path.resolve(o.baseDir, expanded);
    const file = path.join(dir, 'config.json');
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) return { error: `"${file}" is not a file.` };
      if (st.size > MAX_CONFIG_BYTES) return { error: `"${file}" is larger than 1 MB; not a config.json.` };
      const text = fs.readFileSync(file, 'utf8');
      let config: unknown;
      try {
        config = JSON.parse(text);
      } catch (e) {
        // Never the parser's message: it quotes the file's first bytes, and config.json may be a symlink to a secret.
        return { error: `"${file}" is not valid JSON${jsonErrorPlace(text, e)}.` };
      }
      if (!config || typeof config !== 'object' || Array.isArray(config)) return { error: `"${file}" does not hold a JSON object.` };
      return { config: config as Record<string, unknown> };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return { error: `No config.json in model directory "${p}" (looked for ${file}).` };
      return { error: `Cannot read "${file}": ${err.message}` };
    }
  };
}

/** ` (line L, column C)` of a JSON.parse error from the position V8 reports, else nothing: no file content. */
function jsonErrorPlace(text: string, e: unknown): string {
  const m = /position (\d+)/.exec(String((e as Error)?.message ?? ''));
  if (!m) return '';
  const at = Math.min(Number(m[1]), text.length);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return ` (line ${line}, column ${at - before.lastIndexOf('\n')})`;
}
