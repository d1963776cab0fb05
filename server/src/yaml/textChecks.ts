// Text a YAML parser cannot read as the user meant, found before (or beside) parsing so it is never silently
// skipped: a file that is not UTF-8 (UTF-16 or binary: NUL characters), CR-only line endings, tab indentation.
import type { Diagnostic, Range } from '../formats/types';

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Codes that mean part of a file was not checked: the CLI exits non-zero on them (a truncated analysis must not pass
 * a CI gate), and the analysis reports them in every file, since whether the unread part is ours is unknown.
 */
export const NOT_CHECKED = new Set(['file-too-large', 'document-too-large', 'yaml-too-deep', 'analysis-incomplete', 'file-not-utf8', 'yaml-tab-indent']);

export interface TextCheck {
  /** The text to parse: CR-only line endings read as line feeds (same length, so every offset stays put). */
  text: string;
  diagnostics: Diagnostic[];
  /** false: the text is not YAML we can read at all (the file is reported and not parsed). */
  readable: boolean;
}

/** What is wrong with the file as text, before any YAML parsing. */
export function checkText(text: string): TextCheck {
  // YAML allows no C0 control but tab, LF and CR; NUL is how UTF-16 (every other byte of ASCII) and binary data look
  // when read as UTF-8.
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    // eslint-disable-next-line no-control-regex -- NUL bytes are exactly what tells UTF-16 text apart
    const utf16 = /^(\uFFFD\uFFFD|\uFEFF?\u0000?[\x20-\x7e]\u0000)/.test(text) || text.charCodeAt(1) === 0 || text.charCodeAt(0) === 0;
    return {
      text,
      readable: false,
      diagnostics: [
        {
          code: 'file-not-utf8',
          severity: 'warning',
          message: `This file is not UTF-8 YAML (${utf16 ? 'it looks like UTF-16' : 'it holds NUL characters: binary data'}), so llm-sizer did not check it. Save it as UTF-8.`,
          range: ZERO,
        },
      ],
    };
  }
  if (text.includes('\r') && !text.includes('\n')) {
    return {
      text: text.replace(/\r/g, '\n'),
      readable: true,
      diagnostics: [
        {
          code: 'cr-line-endings',
          severity: 'info',
          message:
            'This file ends its lines with CR alone (classic Mac OS). llm-sizer reads CR as a line break, as YAML does, but git, diff and many tools see one long line: save it with LF line endings.',
          range: ZERO,
        },
      ],
    };
  }
  return { text, readable: true, diagnostics: [] };
}

/**
 * The first line indented with a tab, when the file has YAML errors: YAML allows only spaces for indentation, so a
 * tab-indented manifest fails to parse (kubectl rejects it too) and would otherwise be skipped in silence.
 */
export function tabIndentDiagnostic(text: string, hasYamlErrors: boolean): Diagnostic | null {
  if (!hasYamlErrors) return null;
  const m = /^( *)\t/m.exec(text);
  if (!m) return null;
  const line = text.slice(0, m.index).split('\n').length - 1;
  const col = m[1].length;
  return {
    code: 'yaml-tab-indent',
    severity: 'warning',
    message: `Line ${line + 1} is indented with a tab. YAML allows only spaces for indentation, so this file cannot be read (kubectl and vLLM reject it too) and llm-sizer did not check it. Indent with spaces.`,
    range: { start: { line, character: col }, end: { line, character: col + 1 } },
  };
}
