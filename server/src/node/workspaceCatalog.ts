// Workspace catalogs: `.llm-sizer/models/*.yaml` and `.llm-sizer/gpus/*.yaml` (folder names from the
// catalogFolders setting), validated by the model and hardware schemas and added to the built-in catalog.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileAnalysis } from '../analysis/analysis';
import { BUILTIN_GPUS, Catalog, builtinCatalog, builtinModels } from '../catalog/index';
import type { GpuEntry, ModelEntry } from '../catalog/index';
import type { Diagnostic, Range } from '../formats/types';
import { validateData, validateNode } from '../analysis/schemaValidation';
import { parseYaml, rangeOf, toPlain } from '../yaml/yamlDoc';
import type { Node } from 'yaml';

export type CatalogKind = 'model' | 'hardware';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const MAX_FILES = 500;
const MAX_FILE_BYTES = 1024 * 1024;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Every analysis asks (once per edit): the pattern of each folder is built once.
const catalogPathRes = new Map<string, RegExp>();
function catalogPathRe(folder: string): RegExp {
  let re = catalogPathRes.get(folder);
  if (!re) {
    if (catalogPathRes.size > 100) catalogPathRes.clear();
    const dir = escapeRe(folder.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, ''));
    catalogPathRes.set(folder, (re = new RegExp(`(?:^|/)${dir}/(models|gpus)/[^/]+\\.ya?ml$`)));
  }
  return re;
}

/** Whether a document is a workspace catalog file, and of which schema. */
export function catalogKindOf(uri: string, folders: string[]): CatalogKind | null {
  const p = decodeURIComponent(uri.replace(/^file:\/\//, '')).replace(/\\/g, '/');
  for (const f of folders) {
    const m = catalogPathRe(f).exec(p);
    if (m) return m[1] === 'models' ? 'model' : 'hardware';
  }
  return null;
}

/** The same positioned schema diagnostics as plans get, for every document of a catalog file. */
export function validateCatalogText(text: string, kind: CatalogKind): FileAnalysis {
  const parsed = parseYaml(text);
  const diagnostics: Diagnostic[] = [...parsed.problems];
  for (const doc of parsed.docs) {
    if (doc.contents === null) continue;
    const docRange = rangeOf(parsed.lineCounter, doc.contents as Node) ?? ZERO;
    diagnostics.push(...validateNode(kind, doc.contents as Node, parsed.lineCounter, docRange));
  }
  return { deployments: [], diagnostics, formats: [kind === 'model' ? 'catalog-model' : 'catalog-gpu'], disabled: false };
}

/** Valid entries of one catalog file (invalid ones are skipped; the editor shows why). */
export function entriesOf(text: string, kind: CatalogKind): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseYaml(text).docs) {
    const data = toPlain(doc.contents);
    if (data && typeof data === 'object' && validateData(kind, data).length === 0) out.push(data);
  }
  return out;
}

/** Built-ins plus every valid workspace entry under `<root>/<folder>/{models,gpus}/*.yaml`. */
export function loadWorkspaceCatalog(roots: string[], folders: string[]): { catalog: Catalog; files: string[] } {
  const models: ModelEntry[] = builtinModels();
  const gpus: GpuEntry[] = [...BUILTIN_GPUS];
  const files: string[] = [];
  for (const root of roots) {
    for (const folder of folders) {
      for (const [sub, kind] of [
        ['models', 'model'],
        ['gpus', 'hardware'],
      ] as const) {
        const dir = path.resolve(root, folder, sub);
        let names: string[];
        try {
          names = fs
            .readdirSync(dir)
            .filter((n) => /\.ya?ml$/.test(n))
            .sort();
        } catch {
          continue;
        }
        for (const n of names) {
          if (files.length >= MAX_FILES) break;
          const file = path.join(dir, n);
          try {
            if (fs.statSync(file).size > MAX_FILE_BYTES) continue;
            const entries = entriesOf(fs.readFileSync(file, 'utf8'), kind);
            files.push(file);
            if (kind === 'model') models.push(...(entries as ModelEntry[]));
            else gpus.push(...(entries as GpuEntry[]));
          } catch {
            // An unreadable file is skipped; the catalog keeps the rest.
          }
        }
      }
    }
  }
  return { catalog: files.length ? new Catalog(models, gpus) : builtinCatalog(), files };
}
