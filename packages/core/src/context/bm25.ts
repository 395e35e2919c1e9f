// BM25 relevance of workspace files to a prompt, with the path as a second field: a prompt term in the path earns
// a fixed bonus on top of the body's saturated score, because a file called `date-range.ts` is where date ranges
// are defined even if a caller mentions them more often.
import { distinctTerms, termCounts } from './terms.ts';

export interface Bm25Options {
  /** Term-frequency saturation. */
  k1?: number;
  /** Length normalisation of the body field. */
  b?: number;
  /** What a term earns for appearing in the path; the body can earn at most `k1 + 1` per term. */
  pathWeight?: number;
  /** Only this many characters of a file's body are indexed; the head of a file says what it is about. */
  maxIndexedChars?: number;
  /**
   * Bound on the characters indexed over the whole workspace: past it, every file is indexed only up to an equal
   * share (at least `minIndexedChars`), so a huge workspace costs about as much as a large one.
   */
  maxTotalIndexedChars?: number;
  minIndexedChars?: number;
}

export interface RankedFile {
  path: string;
  score: number;
}

interface IndexedFile {
  path: string;
  body: Map<string, number>;
  pathTerms: Map<string, number>;
  length: number;
}

const defaults = {
  k1: 1.2,
  b: 0.75,
  pathWeight: 1.2,
  maxIndexedChars: 100_000,
  maxTotalIndexedChars: 16_000_000,
  minIndexedChars: 4_096,
} as const;

function pathText(path: string): string {
  // Separators become spaces so `src/date-range.ts` reads as words; the extension is noise for ranking.
  return path.replace(/\.[A-Za-z0-9]+$/, '').replace(/[/.-]+/g, ' ');
}

/** A reusable index: build once per snapshot, rank many prompts. */
export class Bm25Index {
  readonly #files: IndexedFile[] = [];
  readonly #documentFrequency = new Map<string, number>();
  readonly #options: Required<Bm25Options>;
  #averageLength = 0;

  constructor(files: ReadonlyMap<string, string>, options: Bm25Options = {}) {
    this.#options = { ...defaults, ...options };
    const perFile = this.#perFileLimit(files);
    let totalLength = 0;
    for (const [path, text] of files) {
      const body = termCounts(text.length > perFile ? text.slice(0, perFile) : text);
      const pathTerms = termCounts(pathText(path));
      let length = 0;
      for (const count of body.values()) length += count;
      totalLength += length;
      this.#files.push({ path, body, pathTerms, length });
      const seen = new Set([...body.keys(), ...pathTerms.keys()]);
      for (const term of seen)
        this.#documentFrequency.set(term, (this.#documentFrequency.get(term) ?? 0) + 1);
    }
    this.#averageLength = this.#files.length === 0 ? 0 : totalLength / this.#files.length;
  }

  #perFileLimit(files: ReadonlyMap<string, string>): number {
    const { maxIndexedChars, maxTotalIndexedChars, minIndexedChars } = this.#options;
    let total = 0;
    for (const text of files.values()) total += Math.min(text.length, maxIndexedChars);
    if (total <= maxTotalIndexedChars || files.size === 0) return maxIndexedChars;
    return Math.max(minIndexedChars, Math.floor(maxTotalIndexedChars / files.size));
  }

  get size(): number {
    return this.#files.length;
  }

  /** Files with a positive score, best first; ties broken by path so the order is deterministic. */
  rank(query: string): RankedFile[] {
    const terms = distinctTerms(query);
    if (terms.length === 0 || this.#files.length === 0) return [];
    const { k1, b, pathWeight } = this.#options;
    const total = this.#files.length;
    const idf = new Map<string, number>();
    for (const term of terms) {
      const df = this.#documentFrequency.get(term) ?? 0;
      // The "+1" form keeps IDF positive, so a term present in most files still counts a little.
      if (df > 0) idf.set(term, Math.log(1 + (total - df + 0.5) / (df + 0.5)));
    }
    if (idf.size === 0) return [];
    const averageLength = this.#averageLength > 0 ? this.#averageLength : 1;
    const ranked: RankedFile[] = [];
    for (const file of this.#files) {
      const norm = 1 - b + b * (file.length / averageLength);
      let score = 0;
      for (const [term, weight] of idf) {
        const tf = (file.body.get(term) ?? 0) / norm;
        const body = tf > 0 ? (tf * (k1 + 1)) / (tf + k1) : 0;
        const path = file.pathTerms.has(term) ? pathWeight : 0;
        score += weight * (body + path);
      }
      if (score > 0) ranked.push({ path: file.path, score });
    }
    ranked.sort((x, y) => y.score - x.score || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    return ranked;
  }
}
