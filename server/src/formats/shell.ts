// A small POSIX-shell tokenizer for `sh -c` / `bash -c` scripts in container commands: quotes, backslash escapes,
// backslash-newline continuations, comments, `&&` / `||` / `;` / `|` / newlines between commands, and leading
// `VAR=value` assignments. It never runs or expands anything: `$VAR`, `${VAR}`, `$(...)` and `$((...))` stay in the
// word text and are flagged so the caller can resolve them from the container env or say it could not.

/** One shell word: its text after quote removal, and for each character the index range in the script it came from. */
export interface ShellWord {
  text: string;
  start: number[];
  end: number[];
  /** True when the word contains an expansion ($VAR, ${VAR}, $(...), $((...)), backticks). */
  dynamic: boolean;
}

export interface ShellCommand {
  words: ShellWord[];
  /** Leading `NAME=value` assignments. */
  env: { name: string; value: ShellWord }[];
}

const OPS = ['&&', '||', ';;', ';', '|', '&', '\n'];

/** Splits a script into simple commands (control operators separate them). */
export function tokenizeShell(script: string): ShellCommand[] {
  const cmds: ShellCommand[] = [];
  let words: ShellWord[] = [];
  let cur: ShellWord | null = null;
  const add = (ch: string, a: number, b: number) => {
    cur ??= { text: '', start: [], end: [], dynamic: false };
    cur.text += ch;
    cur.start.push(a);
    cur.end.push(b);
  };
  const endWord = () => {
    if (cur) words.push(cur);
    cur = null;
  };
  const endCmd = () => {
    endWord();
    if (words.length) {
      const env: ShellCommand['env'] = [];
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0].text)) {
        const w = words.shift()!;
        const eq = w.text.indexOf('=');
        env.push({
          name: w.text.slice(0, eq),
          value: { text: w.text.slice(eq + 1), start: w.start.slice(eq + 1), end: w.end.slice(eq + 1), dynamic: w.dynamic },
        });
      }
      cmds.push({ words, env });
    }
    words = [];
  };
  // Copies an expansion ($(...), $((...)), ${...}) verbatim, balancing brackets.
  const expansion = (i: number): number => {
    const open = script[i + 1];
    const close = open === '(' ? ')' : '}';
    let depth = 0;
    let j = i + 1;
    for (; j < script.length; j++) {
      if (script[j] === open) depth++;
      else if (script[j] === close && --depth === 0) break;
    }
    const stop = Math.min(j + 1, script.length);
    for (let k = i; k < stop; k++) add(script[k], k, k + 1);
    cur!.dynamic = true;
    return stop;
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i];
    if (c === '\\') {
      if (script[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (script[i + 1] === '\r' && script[i + 2] === '\n') {
        i += 3;
        continue;
      }
      if (i + 1 < script.length) add(script[i + 1], i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'") {
      const j = script.indexOf("'", i + 1);
      const stop = j < 0 ? script.length : j;
      cur ??= { text: '', start: [], end: [], dynamic: false };
      for (let k = i + 1; k < stop; k++) add(script[k], k, k + 1);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      cur ??= { text: '', start: [], end: [], dynamic: false };
      let k = i + 1;
      while (k < script.length && script[k] !== '"') {
        if (script[k] === '\\' && '"\\$`\n'.includes(script[k + 1] ?? '')) {
          if (script[k + 1] !== '\n') add(script[k + 1], k, k + 2);
          k += 2;
          continue;
        }
        if (script[k] === '$' && (script[k + 1] === '(' || script[k + 1] === '{')) {
          k = expansion(k);
          continue;
        }
        if (script[k] === '$' || script[k] === '`') cur!.dynamic = true;
        add(script[k], k, k + 1);
        k++;
      }
      i = k + 1;
      continue;
    }
    if (c === '#' && !cur) {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    const op = OPS.find((o) => script.startsWith(o, i));
    if (op) {
      endCmd();
      i += op.length;
      continue;
    }
    if (c === '$' && (script[i + 1] === '(' || script[i + 1] === '{')) {
      i = expansion(i);
      continue;
    }
    if (c === '$' || c === '`') {
      add(c, i, i + 1);
      cur!.dynamic = true;
      i++;
      continue;
    }
    if ((c === '(' || c === ')' || c === '{' || c === '}') && !cur) {
      // Subshells and groups: the commands inside still count.
      endCmd();
      i++;
      continue;
    }
    add(c, i, i + 1);
    i++;
  }
  endCmd();
  return cmds;
}
