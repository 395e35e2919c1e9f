// Turns code and prose into search terms for relevance ranking. An identifier yields itself and its parts
// (`parseDateRange` -> `parsedaterange`, `parse`, `date`, `range`), so a prompt that says "date range" finds
// the code that says `dateRange`, and one that names the identifier exactly finds it with a rarer, stronger term.

const WORD = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
// Splits camelCase, PascalCase, ACRONYMCase and digits: `HTTPServer2Config` -> HTTP, Server, 2, Config.
const PART = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+/gu;

const MIN_TERM = 2;
const MAX_TERM = 40;

// English glue words a prompt is full of; code keywords are left to IDF, which already makes them cheap.
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by can could do does for from has have how i if in into is it its me my ' +
    'no not of on or our please should so some than that the their them then there these this those to ' +
    'us was we were what when where which while who why will with would you your also just make makes ' +
    'need needs want use using used add fix change update file files code'
  ).split(' '),
);

/**
 * A light, symmetric stemmer: plurals, `-ing`, `-ed` and a final `e`, enough for "tokens"/"token" and
 * "parse"/"parsing"/"parsed" to meet. Documents and prompt both go through it, so over-stemming is harmless.
 */
export function stem(term: string): string {
  let result = term;
  if (result.length <= 3) return result;
  if (result.endsWith('ies') && result.length > 4) result = `${result.slice(0, -3)}y`;
  else if (/(?:ches|shes|sses|xes|zes)$/.test(result)) result = result.slice(0, -2);
  else if (result.endsWith('s') && !/(?:ss|us|is)$/.test(result)) result = result.slice(0, -1);
  if (result.endsWith('ing') && result.length > 5) result = result.slice(0, -3);
  else if (result.endsWith('ed') && result.length > 4) result = result.slice(0, -2);
  if (result.endsWith('e') && result.length > 4) result = result.slice(0, -1);
  return result;
}

function accept(term: string, into: string[]): void {
  if (term.length < MIN_TERM || term.length > MAX_TERM) return;
  if (STOP_WORDS.has(term)) return;
  into.push(stem(term));
}

function decompose(word: string): readonly string[] {
  const terms: string[] = [];
  const lower = word.toLowerCase();
  accept(lower, terms);
  // Only compound words add parts; a plain word's single part is itself and would count twice.
  const parts = word.match(PART);
  if (parts !== null && parts.length > 1) {
    for (const part of parts) accept(part.toLowerCase(), terms);
  } else if (word.includes('_')) {
    for (const part of lower.split('_')) accept(part, terms);
  }
  return terms;
}

// Code repeats its identifiers endlessly; splitting and stemming each distinct word once is most of the speed.
const MAX_REMEMBERED_WORDS = 100_000;
const remembered = new Map<string, readonly string[]>();

function termsOfWord(word: string): readonly string[] {
  let terms = remembered.get(word);
  if (terms === undefined) {
    terms = decompose(word);
    if (word.length <= MAX_TERM) {
      if (remembered.size >= MAX_REMEMBERED_WORDS) remembered.clear();
      remembered.set(word, terms);
    }
  }
  return terms;
}

/** Calls `into` once per term occurrence in `text`; the caller decides whether to count or collect. */
export function forEachTerm(text: string, into: (term: string) => void): void {
  for (const match of text.matchAll(WORD)) {
    for (const term of termsOfWord(match[0])) into(term);
  }
}

/** Term frequencies of `text`, each occurrence counting `weight`. */
export function termCounts(text: string, into = new Map<string, number>(), weight = 1): Map<string, number> {
  // Words first, terms second: a file repeats its words, so splitting runs once per distinct word.
  const words = new Map<string, number>();
  WORD.lastIndex = 0;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    const word = match[0];
    words.set(word, (words.get(word) ?? 0) + 1);
  }
  for (const [word, count] of words) {
    for (const term of termsOfWord(word)) into.set(term, (into.get(term) ?? 0) + count * weight);
  }
  return into;
}

/** The distinct terms of `text`, in order of first appearance. */
export function distinctTerms(text: string): string[] {
  const seen = new Set<string>();
  forEachTerm(text, (term) => seen.add(term));
  return [...seen];
}
