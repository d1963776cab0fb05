// SARIF 2.1.0 output for code-scanning (llm-sizer check --format sarif).
import type { FileAnalysis } from '../analysis/analysis';
import { CODES } from '../rules/rules';
import { DIAGNOSTICS } from '../rules/registry';

const LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function sarifLog(results: Array<{ file: string; f: FileAnalysis }>): Record<string, unknown> {
  const ruleIds = new Set<string>(Object.values(CODES));
  for (const r of results) for (const d of r.f.diagnostics) ruleIds.add(d.code);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'llm-sizer', informationUri: 'https://example.invalid/llm-sizer', rules: [...ruleIds].sort().map(sarifRule) } },
        results: results.flatMap((r) =>
          r.f.diagnostics.map((d) => ({
            ruleId: d.code,
            level: LEVEL[d.severity] ?? 'note',
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: r.file.replace(/\\/g, '/') },
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}

/** A SARIF rule from the registry: title, explanation and default level (code scanning shows them beside each alert). */
function sarifRule(id: string): Record<string, unknown> {
  const doc = DIAGNOSTICS[id];
  if (!doc) return { id, shortDescription: { text: id.replace(/-/g, ' ') } };
  return {
    id,
    shortDescription: { text: doc.title },
    fullDescription: { text: doc.explanation },
    help: { text: `${doc.explanation}${doc.source ? ` Source: ${doc.source}.` : ''}` },
    defaultConfiguration: { level: LEVEL[doc.severity] ?? 'note' },
    properties: { category: doc.category },
  };
}
