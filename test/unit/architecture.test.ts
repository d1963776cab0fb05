// The architecture holds: no runtime import cycle, and no import across the layers the wrong way (the core imports
// no LSP, editor, I/O or DOM module and nothing from lsp/cli/node/client/media; the engine imports only the engine).
// scripts/module-graph.ts prints the whole graph by layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerOf, layerViolations, moduleEdges, runtimeCycles } from '../../scripts/module-graph';

test('the module graph has no runtime cycle and no import across the layers the wrong way', () => {
  const edges = moduleEdges();
  assert.ok(edges.length > 300, `only ${edges.length} imports found: the scan is broken`);
  assert.deepEqual(layerViolations(edges), []);
  assert.deepEqual(runtimeCycles(edges), []);
});

test('the checker itself catches what it guards against', () => {
  assert.equal(layerOf('server/src/engine/memory.ts'), 'engine');
  assert.equal(layerOf('server/src/analysis/analysis.ts'), 'core');
  assert.equal(layerOf('server/src/lsp/server.ts'), 'lsp');
  assert.deepEqual(layerViolations([{ from: 'server/src/engine/memory.ts', to: 'server/src/analysis/analysis.ts', typeOnly: true }]).length, 1);
  assert.deepEqual(layerViolations([{ from: 'server/src/rules/rules.ts', to: 'vscode-languageserver', typeOnly: true }]).length, 1);
  assert.deepEqual(layerViolations([{ from: 'server/src/presenters/report.ts', to: 'server/src/lsp/protocol.ts', typeOnly: false }]).length, 1);
  assert.deepEqual(
    runtimeCycles([
      { from: 'server/src/a/x.ts', to: 'server/src/a/y.ts', typeOnly: false },
      { from: 'server/src/a/y.ts', to: 'server/src/a/x.ts', typeOnly: false },
    ]),
    [['server/src/a/x.ts', 'server/src/a/y.ts', 'server/src/a/x.ts']],
  );
  assert.deepEqual(
    runtimeCycles([
      { from: 'server/src/a/x.ts', to: 'server/src/a/y.ts', typeOnly: false },
      { from: 'server/src/a/y.ts', to: 'server/src/a/x.ts', typeOnly: true },
    ]),
    [],
  );
});
