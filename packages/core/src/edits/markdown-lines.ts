// Recognises the special lines of a model's answer: code fences, SEARCH/REPLACE markers and file-path lines.
// Lenient on purpose, after what models really emit (Aider's observations): 5-9 marker characters, trailing
// spaces, paths decorated with backticks, asterisks, `#` or `File:`.

export interface Fence {
  char: '`' | '~';
  length: number;
  /** The info string after the opening fence, e.g. `ts` or `diff`; empty for a bare fence. */
  info: string;
}

const FENCE = /^\s*(`{3,}|~{3,})\s*(.*?)\s*$/;

export function parseFence(line: string): Fence | undefined {
  const match = FENCE.exec(line);
  const run = match?.[1];
  if (match === null || run === undefined) return undefined;
  const info = match[2] ?? '';
  const char = run.startsWith('`') ? '`' : '~';
  // A backtick fence's info string cannot contain backticks (CommonMark), so "```js `x` ```" is inline code.
  if (char === '`' && info.includes('`')) return undefined;
  return { char, length: run.length, info };
}

/** Whether `line` closes a block opened by `open` (same character, at least as long, no info string). */
export function closesFence(line: string, open: Fence): boolean {
  const fence = parseFence(line);
  return fence !== undefined && fence.info === '' && fence.char === open.char && fence.length >= open.length;
}

const SEARCH_MARKER = /^\s*<{5,9}\s*SEARCH\s*$/i;
const DIVIDER_MARKER = /^\s*={5,9}\s*$/;
const REPLACE_MARKER = /^\s*>{5,9}\s*REPLACE\s*$/i;

export function isSearchMarker(line: string): boolean {
  return SEARCH_MARKER.test(line);
}

export function isDividerMarker(line: string): boolean {
  return DIVIDER_MARKER.test(line);
}

export function isReplaceMarker(line: string): boolean {
  return REPLACE_MARKER.test(line);
}

const LABEL = /^(?:file(?:name)?|path)\s*:\s*/i;
// Files that conventionally have no extension, so a bare word can still be a path.
const BARE_NAMES =
  /^(?:makefile|dockerfile|containerfile|gemfile|rakefile|procfile|justfile|jenkinsfile|vagrantfile|brewfile|license|licence|readme|changelog|codeowners|notice|authors)$/i;
const NOT_IN_PATHS = /[;:{}=<>"'|?*`\t]/;

/**
 * The file path a line names on its own, or undefined when the line reads as prose or code. Backticks or a
 * `File:` label make us trust the line more (spaces allowed); a bare line must look like a path.
 */
export function pathFromLine(line: string): string | undefined {
  let text = line.trim();
  if (text === '' || parseFence(text) !== undefined) return undefined;
  let labelled = false;
  for (;;) {
    const before = text;
    text = text.replace(/^#+\s*/, '');
    const label = LABEL.exec(text);
    if (label !== null) {
      text = text.slice(label[0].length);
      labelled = true;
    }
    text = text.replace(/:+$/, '').trim();
    text = text.replace(/^\*+|\*+$/g, '').trim();
    if (text.length >= 2 && text.startsWith('`') && text.endsWith('`')) {
      text = text.slice(1, -1).trim();
      labelled = true;
    }
    if (text === before) break;
  }
  // Markdown-escaped underscores (`my\_file.py`) are an artefact of rendering, not part of the name.
  text = text.replace(/\\_/g, '_');
  if (text === '' || text === '...' || NOT_IN_PATHS.test(text) || text.includes('()')) return undefined;
  if (/\s/.test(text) && !labelled) return undefined;
  if (text.endsWith('.') || text.endsWith(',')) return undefined;
  if (/[./\\]/.test(text) || BARE_NAMES.test(text) || labelled) return text;
  return undefined;
}
