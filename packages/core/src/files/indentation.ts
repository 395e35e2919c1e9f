// How a file is indented: the project's `.editorconfig` first (indent_style, indent_size, tab_width for the
// sections whose globs match), then what the file's own lines show, then two spaces. Pure, so the editor and
// anything that writes code (tasks, templates) indent alike.

export type IndentStyle = 'tab' | 'space';

export interface Indentation {
  style: IndentStyle;
  /** Columns one indent level takes. */
  size: number;
  /** Columns a tab character is wide. */
  tabWidth: number;
  /** Where the answer came from, for a status line. */
  source: 'editorconfig' | 'detected' | 'default';
}

export const defaultIndentation: Readonly<Indentation> = Object.freeze({
  style: 'space',
  size: 2,
  tabWidth: 4,
  source: 'default',
});

export interface EditorConfigSection {
  glob: string;
  props: Readonly<Record<string, string>>;
}

export interface EditorConfig {
  root: boolean;
  sections: EditorConfigSection[];
}

/** Reads an `.editorconfig` (INI: `[glob]` sections of `key = value`, `#`/`;` comments). Keys and the values
 * EditorConfig defines are lower-cased, as the spec says they are case-insensitive. Lines it cannot read are
 * skipped, as every EditorConfig plugin does. */
export function parseEditorConfig(text: string): EditorConfig {
  const config: EditorConfig = { root: false, sections: [] };
  let current: { glob: string; props: Record<string, string> } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = { glob: header[1], props: {} };
      config.sections.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line
      .slice(eq + 1)
      .replace(/\s[#;].*$/, '')
      .trim();
    if (current) current.props[key] = value.toLowerCase();
    else if (key === 'root') config.root = value.toLowerCase() === 'true';
  }
  return config;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^$()|\\/]/g, '\\$&');
}

/** Splits `a,{b,c},d` on the top-level commas only. */
function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function closingBrace(glob: string, open: number): number {
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '\\') {
      out += escapeRegExp(glob[i + 1] ?? '\\');
      i++;
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` also matches no directory at all, so `src/**/a.ts` matches `src/a.ts`.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i++;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += body.startsWith('!') ? `[^/${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = closingBrace(glob, i);
      const body = end < 0 ? '' : glob.slice(i + 1, end);
      const range = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
      if (end < 0) out += '\\{';
      else if (range) {
        const [lo, hi] = [Number(range[1]), Number(range[2])].sort((a, b) => a - b) as [number, number];
        const numbers = [];
        for (let n = lo; n <= hi && numbers.length < 1000; n++) numbers.push(String(n));
        out += `(?:${numbers.join('|')})`;
        i = end;
      } else if (!body.includes(',')) {
        // `{single}` is literal in EditorConfig.
        out += `\\{${escapeRegExp(body)}\\}`;
        i = end;
      } else {
        out += `(?:${splitAlternatives(body).map(globSource).join('|')})`;
        i = end;
      }
    } else out += escapeRegExp(c);
  }
  return out;
}

/** The EditorConfig glob as a RegExp over paths relative to the `.editorconfig`'s directory. A glob without
 * `/` matches a file name in any directory below; with one it is anchored at that directory. */
export function editorConfigGlob(glob: string): RegExp {
  const anchored = glob.includes('/');
  const body = globSource(glob.startsWith('/') ? glob.slice(1) : glob);
  return new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
}

/** The directories that may hold an `.editorconfig` for `path`, nearest first ('' is the workspace root). */
export function editorConfigDirs(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(parts.slice(0, n).join('/'));
  return dirs;
}

/** The properties that apply to `path` after every matching section, farthest `.editorconfig` first so nearer
 * ones win, stopping upward at `root = true`. `read(dir)` returns that directory's `.editorconfig` text. */
export function editorConfigProperties(
  path: string,
  read: (dir: string) => string | undefined,
): Record<string, string> {
  const configs: { dir: string; config: EditorConfig }[] = [];
  for (const dir of editorConfigDirs(path)) {
    const text = read(dir);
    if (text === undefined) continue;
    const config = parseEditorConfig(text);
    configs.push({ dir, config });
    if (config.root) break;
  }
  const props: Record<string, string> = {};
  for (const { dir, config } of configs.reverse()) {
    const relative = dir === '' ? path : path.slice(dir.length + 1);
    for (const section of config.sections) {
      if (editorConfigGlob(section.glob).test(relative)) Object.assign(props, section.props);
    }
  }
  return props;
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 16 ? n : undefined;
}

/** The indentation the file's lines show, or null when too few lines are indented to tell. Tabs win when more
 * lines start with a tab than with spaces; the space width is the most common step between neighbouring lines'
 * indents (as detect-indent does), so a few deeply nested lines do not skew it. JSDoc's ` * ` continuation lines
 * are ignored. */
export function detectIndentation(text: string): { style: IndentStyle; size: number } | null {
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of text.split('\n', 10_000)) {
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    const rest = line.slice(lead.length);
    if (rest.trim() === '') continue;
    if (lead.startsWith('\t')) {
      tabs++;
      continue;
    }
    if (lead.length > 0 && rest.startsWith('*')) continue;
    if (lead.length > 0 && !lead.includes('\t')) spaces++;
    const width = lead.includes('\t') ? previous : lead.length;
    const step = Math.abs(width - previous);
    if (step > 0 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
    previous = width;
  }
  if (tabs === 0 && spaces === 0) return null;
  if (tabs > spaces) return { style: 'tab', size: 0 };
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (count > bestCount || (count === bestCount && step < best)) [best, bestCount] = [step, count];
  }
  return best === 0 ? null : { style: 'space', size: best };
}

/** The indentation to use for `path` whose current text is `text`; `readEditorConfig(dir)` reads the
 * `.editorconfig` in a directory of the workspace ('' for the root), undefined when there is none. */
export function resolveIndentation(
  path: string,
  text: string,
  readEditorConfig: (dir: string) => string | undefined = () => undefined,
): Indentation {
  const props = editorConfigProperties(path, readEditorConfig);
  const detected = detectIndentation(text);
  const configStyle =
    props.indent_style === 'tab' || props.indent_style === 'space' ? props.indent_style : undefined;
  const configTabWidth = positiveInt(props.tab_width);
  const configSize =
    props.indent_size === 'tab'
      ? (configTabWidth ?? defaultIndentation.tabWidth)
      : positiveInt(props.indent_size);
  const style = configStyle ?? detected?.style ?? defaultIndentation.style;
  // EditorConfig: tab_width defaults to indent_size; indent_size = tab means one tab's width.
  const tabWidth =
    configTabWidth ?? (style === 'tab' ? configSize : undefined) ?? defaultIndentation.tabWidth;
  const size =
    style === 'tab'
      ? (configSize ?? tabWidth)
      : (configSize ?? (detected?.style === 'space' ? detected.size : defaultIndentation.size));
  const fromConfig = configStyle !== undefined || configSize !== undefined;
  return {
    style,
    size,
    tabWidth,
    source: fromConfig ? 'editorconfig' : detected ? 'detected' : 'default',
  };
}

/** What one indent level inserts: a tab, or `size` spaces. */
export function indentUnitText(indentation: Pick<Indentation, 'style' | 'size'>): string {
  return indentation.style === 'tab' ? '\t' : ' '.repeat(indentation.size);
}
