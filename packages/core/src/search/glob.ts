// Include/exclude globs for find in files, in the forms people type into an editor's search box:
// `*.ts`, `src/**`, `**/*.test.ts`, `node_modules`, `{a,b}.json`, `docs/`, several separated by commas.
// A pattern without a slash matches a file name or any directory name at any depth (as in .gitignore);
// one with a slash is anchored at the workspace root, and a directory pattern also covers everything below it.

export interface GlobError {
  ok: false;
  code: 'BAD_GLOB';
  pattern: string;
  message: string;
}

export type PathMatcher = (path: string) => boolean;

/** Translates one glob to a regular expression source for a whole path (or a whole segment). */
function globSource(glob: string): string | GlobError {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` is zero or more whole directories; a trailing `**` anything below.
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0)
        return { ok: false, code: 'BAD_GLOB', pattern: glob, message: 'A “[” has no closing “]”.' };
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\\]{}]/g, '\\$&');
  }
  if (braces > 0) return { ok: false, code: 'BAD_GLOB', pattern: glob, message: 'A “{” has no closing “}”.' };
  return out;
}

/** Splits "a, {b,c}, d" on the commas outside braces. */
export function splitGlobs(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if (c === '{') depth++;
    if (c === '}') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** One glob as a path test, or why it is not a glob. */
export function compileGlob(glob: string): PathMatcher | GlobError {
  let pattern = glob.trim().replace(/^\.\//, '');
  const directory = pattern.endsWith('/');
  pattern = pattern.replace(/\/+$/, '');
  const anchored = pattern.includes('/');
  pattern = pattern.replace(/^\//, '');
  const source = globSource(pattern);
  if (typeof source !== 'string') return source;
  let re: RegExp;
  try {
    // A match may stop at a directory: what follows it is inside that directory.
    re = anchored
      ? new RegExp(`^${source}(?:/.*)?$`)
      : new RegExp(`(?:^|/)${source}${directory ? '/' : '(?:/|$)'}`);
  } catch (e) {
    return {
      ok: false,
      code: 'BAD_GLOB',
      pattern: glob,
      message: e instanceof Error ? e.message : String(e),
    };
  }
  if (anchored && directory) {
    const dirRe = new RegExp(`^${source}/`);
    return (path) => dirRe.test(path);
  }
  return (path) => re.test(path);
}

/**
 * A test for "include these, but not those" from two comma-separated lists; an empty include list includes
 * everything.
 */
export function compilePathFilter(include: string, exclude: string): PathMatcher | GlobError {
  const compileAll = (list: string) => {
    const matchers: PathMatcher[] = [];
    for (const glob of splitGlobs(list)) {
      const m = compileGlob(glob);
      if (typeof m !== 'function') return m;
      matchers.push(m);
    }
    return matchers;
  };
  const inc = compileAll(include);
  if (!Array.isArray(inc)) return inc;
  const exc = compileAll(exclude);
  if (!Array.isArray(exc)) return exc;
  return (path) => (inc.length === 0 || inc.some((m) => m(path))) && !exc.some((m) => m(path));
}
