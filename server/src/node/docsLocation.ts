// Where the diagnostic docs pages are on disk: docs/diagnostics beside dist/ in the installed extension (and in the
// repository when run from source). Host I/O, so it lives outside the pure core.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** file: URL of the docs/diagnostics folder nearest above `from`, or null when the pages are not installed. */
export function diagnosticDocsUrl(from: string = __dirname): string | null {
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    const p = join(dir, 'docs', 'diagnostics');
    if (existsSync(join(p, 'README.md'))) return pathToFileURL(p).href;
    if (dirname(dir) === dir) break;
  }
  return null;
}
