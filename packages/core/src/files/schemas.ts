// zod schemas for file inputs, so API routers validate paths with exactly the rules the model enforces.

import { z } from 'zod';
import { isAppError } from '../errors.ts';
import { normalizePath } from './path.ts';

/** A workspace path: parses to its normalized form, or fails with the same message `normalizePath` gives. */
export const workspacePathSchema = z.string().transform((value, context) => {
  try {
    return normalizePath(value);
  } catch (error) {
    context.issues.push({
      code: 'custom',
      message: isAppError(error) ? error.message : 'Invalid path.',
      input: value,
    });
    return z.NEVER;
  }
});
