// The folders whose `.llm-sizer/{models,gpus}` the CLI reads, as the editor reads its workspace folders: the current
// directory and the file's folder, each with its parents up to the git root (the repository holding it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Catalog } from '../catalog/index';
import { loadWorkspaceCatalog } from './workspaceCatalog';

/** `dir` and its parents up to the nearest one holding `.git`, farthest first; just `dir` outside a repository. */
export function foldersUpToGitRoot(dir: string): string[] {
  const chain: string[] = [];
  let d = path.resolve(dir);
  for (let i = 0; i < 64; i++) {
    chain.push(d);
    if (fs.existsSync(path.join(d, '.git'))) return chain.reverse();
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  // No repository: reading every parent up to / would pick up unrelated catalogs.
  return [path.resolve(dir)];
}

/** Catalog roots for a file, nearest last so its entries win over farther ones with the same id. */
export function catalogRootsFor(file: string | null, cwd: string): string[] {
  const chains = [...foldersUpToGitRoot(cwd), ...(file ? foldersUpToGitRoot(path.dirname(path.resolve(cwd, file))) : [])];
  const out: string[] = [];
  for (const d of chains) {
    const i = out.indexOf(d);
    if (i >= 0) out.splice(i, 1);
    out.push(d);
  }
  return out;
}

const cache = new Map<string, Catalog>();
/** The built-in catalog plus every valid `.llm-sizer` entry for this file (cached per set of roots). */
export function cliCatalogFor(file: string | null, cwd: string, folders: string[]): Catalog {
  const roots = catalogRootsFor(file, cwd);
  const key = JSON.stringify([roots, folders]);
  let c = cache.get(key);
  if (!c) {
    c = loadWorkspaceCatalog(roots, folders).catalog;
    cache.set(key, c);
  }
  return c;
}
