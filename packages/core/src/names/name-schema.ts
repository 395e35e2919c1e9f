// Names people give to things others see (display names, workspace names). A name must look like what it is:
// bidi controls (U+202E) reorder what follows so "exe.txt" reads as "txt.exe", and invisible characters make two
// different names look the same, so both are refused with a message that says which rule was broken.
import { z } from 'zod';

// Explicit embeddings, overrides, isolates and marks: the characters that change how surrounding text is ordered.
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

// Controls, formatting characters (zero-width space, word joiner, BOM, soft hyphen, tags ...), lone surrogates,
// line/paragraph separators and the fillers that render as nothing. ZWNJ and ZWJ (U+200C, U+200D) are format
// characters too but stay: Persian and Indic names need them, and so do emoji sequences.
const invisible = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]|(?![\u200c\u200d])\p{Cf}/u;

// Subdivision flags (England, Scotland, Wales) are a black flag followed by tag characters; they are the one
// legitimate use of tags, so they are taken out before looking for invisible characters.
const tagFlag = /\u{1f3f4}[\u{e0061}-\u{e007a}\u{e0030}-\u{e0039}]{1,10}\u{e007f}/gu;

export type UnsafeNameCharacter = 'bidi' | 'invisible';

/** What kind of character makes a name unsafe to show, if any. */
export function findUnsafeNameCharacter(name: string): UnsafeNameCharacter | undefined {
  if (bidiControls.test(name)) return 'bidi';
  if (invisible.test(name.replace(tagFlag, ''))) return 'invisible';
  return undefined;
}

const unsafeMessages: Record<UnsafeNameCharacter, string> = {
  bidi: 'Name contains text-direction control characters (such as U+202E); remove them',
  invisible: 'Name contains invisible or control characters; remove them',
};

export interface NameSchemaOptions {
  max: number;
  /** Message when the name is empty after trimming. */
  required: string;
}

/** A shown name: trimmed, NFC-normalized (so look-alike spellings compare equal), bounded, and visible. */
export function nameSchema({ max, required }: NameSchemaOptions) {
  return z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, required)
        .max(max, `Use at most ${max} characters`)
        .superRefine((s, ctx) => {
          const unsafe = findUnsafeNameCharacter(s);
          if (unsafe) ctx.addIssue({ code: 'custom', message: unsafeMessages[unsafe] });
        }),
    );
}
