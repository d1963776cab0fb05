// Prints the module dependency graph of server/src, client/src and media/src by layer, and fails (exit 1) on a
// runtime import cycle or on an import that crosses the architecture the wrong way:
//   core (yaml, formats, catalog, engine, calibration, analysis, rules, presenters) imports only core and pure
//   packages: no LSP, no Node I/O, no DOM, never lsp/cli/node/client/media;
//   engine imports only engine (the physics stays pure and self-contained);
//   node (host I/O shared by the CLI and the server) imports core; lsp imports core and node; cli imports core and
//   node (and the LSP protocol's settings type only); client imports the LSP protocol; media imports types only.
// Usage: node --import tsx scripts/module-graph.ts [--quiet]   (the tests run it)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ModuleEdge {
  from: string;
  to: string;
  /** `import type` / `export type`: erased at build time, so it cannot form a runtime cycle. */
  typeOnly: boolean;
}

const ROOT = resolve(__dirname, '..');
const CORE = ['yaml', 'formats', 'catalog', 'engine', 'calibration', 'analysis', 'rules', 'presenters', 'common'];
const FORBIDDEN_IN_CORE =
  /^(vscode|vscode-languageserver.*|vscode-languageclient.*|vscode-jsonrpc.*|node:fs|node:child_process|node:net|node:http|node:https|fs|child_process|net|http|https)$/;

/** The layer a repository path belongs to. */
export function layerOf(path: string): string {
  const p = path.split('\\').join('/');
  if (p.startsWith('client/src/')) return 'client';
  if (p.startsWith('media/src/')) return 'media';
  if (p.startsWith('schemas/')) return 'schemas';
  const m = /^server\/src\/([^/]+)\//.exec(p);
  if (!m) return p.startsWith('server/src/') ? 'server-root' : 'other';
  if (m[1] === 'engine') return 'engine';
  return CORE.includes(m[1]) ? 'core' : m[1];
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

function resolveImport(fromAbs: string, spec: string): string | null {
  const base = resolve(dirname(fromAbs), spec);
  for (const e of ['', '.ts', '.json', '/index.ts']) {
    const p = base + e;
    if (existsSync(p) && statSync(p).isFile()) return relative(ROOT, p).split('\\').join('/');
  }
  return null;
}

/** Every import of the product's source files (relative ones resolved to repository paths, packages by name). */
export function moduleEdges(): ModuleEdge[] {
  const files = ['server/src', 'client/src', 'media/src'].flatMap((d) => walk(join(ROOT, d)));
  const edges: ModuleEdge[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const abs of files) {
    const text = readFileSync(abs, 'utf8');
    const from = relative(ROOT, abs).split('\\').join('/');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const spec = m[3];
      const to = spec.startsWith('.') ? resolveImport(abs, spec) : spec;
      if (!to) continue;
      // `import { type A, type B } from` is type-only too.
      const typeOnly = !!m[2] || /^\s*import\s*\{\s*(type\s+[\w$]+\s*,?\s*)+\}\s*from/.test(m[0]);
      edges.push({ from, to, typeOnly });
    }
  }
  return edges;
}

/** Imports that cross the layers the wrong way, one line each. */
export function layerViolations(edges: ModuleEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = layerOf(e.from);
    const isPkg = !e.to.includes('/') || !/^(server|client|media|schemas)\//.test(e.to);
    const b = isPkg ? 'package' : layerOf(e.to);
    const bad = (why: string) => out.push(`${e.from} -> ${e.to}: ${why}`);
    if (a === 'server-root') bad('a loose file at the top of server/src: put it in its layer');
    if (a === 'engine') {
      if (isPkg) bad('the engine imports no package');
      else if (b !== 'engine') bad('the engine imports only the engine');
    } else if (a === 'core') {
      if (isPkg && FORBIDDEN_IN_CORE.test(e.to)) bad('the core imports no LSP, editor or I/O module');
      else if (!isPkg && !['core', 'engine', 'schemas'].includes(b)) bad(`the core imports nothing from ${b}`);
    } else if (a === 'node') {
      if (!isPkg && !['core', 'engine', 'schemas', 'node'].includes(b)) bad(`node host code imports nothing from ${b}`);
    } else if (a === 'cli') {
      if (!isPkg && !['core', 'engine', 'schemas', 'node', 'cli'].includes(b) && !(b === 'lsp' && e.to.endsWith('lsp/protocol.ts') && e.typeOnly))
        bad(`the CLI imports nothing from ${b}`);
    } else if (a === 'lsp') {
      if (!isPkg && !['core', 'engine', 'schemas', 'node', 'lsp'].includes(b)) bad(`the language server imports nothing from ${b}`);
    } else if (a === 'client') {
      if (
        !isPkg &&
        !['client', 'schemas'].includes(b) &&
        !(b === 'lsp' && /lsp\/(protocol|serverLaunch)\.ts$/.test(e.to)) &&
        !(['core', 'media'].includes(b) && e.typeOnly)
      )
        bad(`the client imports only the protocol and types (${b})`);
    } else if (a === 'media') {
      if (isPkg) bad('the webview imports no package (it is bundled for a strict CSP)');
      else if (b !== 'media' && !e.typeOnly) bad(`the webview imports types only from ${b}`);
    }
  }
  return out;
}

/** Runtime import cycles (type-only imports excluded), each as a path a -> b -> ... -> a. */
export function runtimeCycles(edges: ModuleEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly || !/^(server|client|media)\//.test(e.to)) continue;
    const list = next.get(e.from) ?? [];
    if (!list.includes(e.to)) list.push(e.to);
    next.set(e.from, list);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 1) cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

if (require.main === module) {
  const edges = moduleEdges();
  if (!process.argv.includes('--quiet')) {
    const byLayer = new Map<string, Set<string>>();
    for (const e of edges) {
      const b = /^(server|client|media|schemas)\//.test(e.to) ? layerOf(e.to) : `pkg:${e.to}`;
      const k = layerOf(e.from);
      if (!byLayer.has(k)) byLayer.set(k, new Set());
      if (b !== k) byLayer.get(k)!.add(b);
    }
    for (const [k, v] of [...byLayer].sort()) console.log(`${k} -> ${[...v].sort().join(', ') || '(itself only)'}`);
  }
  const bad = layerViolations(edges);
  const cycles = runtimeCycles(edges);
  for (const b of bad) console.error(`layer: ${b}`);
  for (const c of cycles) console.error(`cycle: ${c.join(' -> ')}`);
  console.log(`${edges.length} imports, ${bad.length} layer violations, ${cycles.length} runtime cycles`);
  process.exit(bad.length || cycles.length ? 1 : 0);
}
