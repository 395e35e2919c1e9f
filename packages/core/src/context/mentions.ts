// Finds the files a prompt names: `src/auth/session.ts`, `session.ts`, `@src/auth/session.ts`, a folder via
// `@src/auth`, and a unique path tail such as `auth/session.ts`. Only words that look like paths (a slash, a dot
// or an `@`) are considered, and only real workspace paths count, so prose never conjures a file.
import { basename, comparePaths, isInside } from '../files/path.ts';

/** A basename or path tail matching more files than this is too vague to count as naming them. */
export const MAX_AMBIGUOUS_MATCHES = 3;
/** A folder (pinned, or `@`-mentioned) contributes at most this many files, in path order. */
export const MAX_FOLDER_FILES = 50;

const SPLIT = /[\s'"`()[\]{}<>,;|!?*=]+/;
const TRAILING = /[.:]+$/;
const PATH_LIKE = /[./@]/;
const HAS_NAME = /[\p{L}\p{N}_]/u;

/** The workspace's paths indexed for mention matching; build once when matching several times. */
export interface PathLookup {
  /** In `comparePaths` order. */
  paths: readonly string[];
  set: ReadonlySet<string>;
  byBasename: ReadonlyMap<string, string[]>;
}

export function createPathLookup(sortedPaths: readonly string[]): PathLookup {
  const paths = sortedPaths;
  const byBasename = new Map<string, string[]>();
  for (const path of paths) {
    const name = basename(path);
    const list = byBasename.get(name);
    if (list === undefined) byBasename.set(name, [path]);
    else list.push(path);
  }
  return { paths, set: new Set(paths), byBasename };
}

function lookupOf(files: ReadonlyMap<string, string> | PathLookup): PathLookup {
  return 'byBasename' in files ? files : createPathLookup([...files.keys()].sort(comparePaths));
}

function filesInFolder(lookup: PathLookup, folder: string): string[] {
  const result: string[] = [];
  for (const path of lookup.paths) {
    if (isInside(folder, path)) {
      result.push(path);
      if (result.length >= MAX_FOLDER_FILES) break;
    }
  }
  return result;
}

function cleanWord(raw: string): { word: string; at: boolean } {
  let word = raw;
  const at = word.startsWith('@');
  if (at) word = word.slice(1);
  while (word.startsWith('./')) word = word.slice(2);
  while (word.startsWith('/')) word = word.slice(1);
  word = word.replace(TRAILING, '');
  while (word.endsWith('/')) word = word.slice(0, -1);
  return { word, at };
}

function matchWord(lookup: PathLookup, word: string, at: boolean): string[] {
  if (lookup.set.has(word)) return [word];
  if (!word.includes('/')) {
    const named = lookup.byBasename.get(word) ?? [];
    if (named.length > 0 && named.length <= MAX_AMBIGUOUS_MATCHES) return named;
  } else {
    const tail = `/${word}`;
    const matches = lookup.paths.filter((path) => path.endsWith(tail));
    if (matches.length > 0 && matches.length <= MAX_AMBIGUOUS_MATCHES) return matches;
  }
  // A folder only by explicit `@` mention: "the src folder" in prose must not pull in fifty files.
  if (at) return filesInFolder(lookup, word);
  return [];
}

export interface PromptMentions {
  /** Workspace paths the prompt names, in order of first mention. */
  paths: string[];
  /** The prompt with the words that named them blanked out, for ranking on what the prompt says otherwise. */
  rest: string;
}

/** The files a prompt names, and the prompt without those names. */
export function mentionsInPrompt(
  prompt: string,
  files: ReadonlyMap<string, string> | PathLookup,
): PromptMentions {
  const lookup = lookupOf(files);
  const paths: string[] = [];
  const seen = new Set<string>();
  const matchedWords = new Set<string>();
  for (const raw of prompt.split(SPLIT)) {
    if (!PATH_LIKE.test(raw)) continue;
    const { word, at } = cleanWord(raw);
    if (word.length === 0 || !HAS_NAME.test(word)) continue;
    const matches = matchWord(lookup, word, at);
    if (matches.length > 0) matchedWords.add(raw);
    for (const path of matches) {
      if (!seen.has(path)) {
        seen.add(path);
        paths.push(path);
      }
    }
  }
  let rest = prompt;
  for (const word of matchedWords) rest = rest.split(word).join(' ');
  return { paths, rest };
}

/** Workspace paths the prompt names, in order of first mention. */
export function namedInPrompt(prompt: string, files: ReadonlyMap<string, string> | PathLookup): string[] {
  return mentionsInPrompt(prompt, files).paths;
}

/**
 * Pinned paths that exist, in the order given; a pinned folder stands for the files inside it. Paths that
 * match nothing are dropped (a file deleted since the task was created, a typo).
 */
export function expandPinned(
  pinned: readonly string[],
  files: ReadonlyMap<string, string> | PathLookup,
): string[] {
  const lookup = lookupOf(files);
  const result: string[] = [];
  const seen = new Set<string>();
  for (const raw of pinned) {
    const { word } = cleanWord(raw);
    if (word.length === 0) continue;
    const paths = lookup.set.has(word) ? [word] : filesInFolder(lookup, word);
    for (const path of paths) {
      if (!seen.has(path)) {
        seen.add(path);
        result.push(path);
      }
    }
  }
  return result;
}
