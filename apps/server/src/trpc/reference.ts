// The API reference as data, read off the router itself: each procedure's kind, who may call it (from the builder
// that checks it), its input as JSON Schema (from its zod schemas), its error codes and its documented example. The
// docs site renders it (docs/scripts/generate.ts); a test holds every procedure to having a description and an
// example that its own schema accepts.
import { errorCodes, type ErrorCode } from '@tandem/core';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { z } from 'zod';
import { trpcCodeFor } from './errors.ts';
import { appRouter } from './root.ts';
import type { ProcedureAccess, ProcedureMeta } from './trpc.ts';

export type ProcedureType = 'query' | 'mutation' | 'subscription';

/** A JSON Schema object as zod emits it. */
export type JsonSchema = Record<string, unknown>;

export interface ErrorReference {
  code: ErrorCode;
  /** The tRPC error code and HTTP status it travels with. */
  trpcCode: string;
  httpStatus: number;
}

export interface ProcedureReference {
  /** Dotted path, as clients call it: `workspace.invite.create`. */
  path: string;
  type: ProcedureType;
  access: ProcedureAccess;
  description: string | undefined;
  example: ProcedureMeta['example'];
  /** Undefined for procedures that take no input. */
  input: JsonSchema | undefined;
  errors: ErrorReference[];
}

interface RouterProcedure {
  _def: { type: ProcedureType; inputs: unknown[]; meta?: ProcedureMeta };
}

/** Errors any call can meet, whatever the procedure: listed once in the reference rather than on every entry. */
export const commonErrors: readonly ErrorCode[] = ['PARSE_ERROR', 'PAYLOAD_TOO_LARGE', 'INTERNAL'];

/** The flat record of procedures by dotted path (tRPC keeps one on every router). */
export function routerProcedures(router = appRouter): Record<string, RouterProcedure> {
  return router._def.procedures as unknown as Record<string, RouterProcedure>;
}

export function errorReference(code: ErrorCode): ErrorReference {
  const trpcCode = trpcCodeFor(code);
  return { code, trpcCode, httpStatus: getHTTPStatusCodeFromError(new TRPCError({ code: trpcCode })) };
}

/** The codes a procedure's builder and input parsing can raise, in `errorCodes` order, then its own. */
function errorsOf(
  type: ProcedureType,
  access: ProcedureAccess,
  hasInput: boolean,
  own: readonly ErrorCode[],
) {
  const codes = new Set<ErrorCode>();
  if (hasInput) codes.add('BAD_INPUT');
  if (type === 'mutation') codes.add('CSRF_REJECTED');
  if (access.kind !== 'public') {
    codes.add('UNAUTHENTICATED');
    // authedProcedure: every mutation of a signed-in user counts against `mutationsPerUser`.
    if (type === 'mutation') codes.add('RATE_LIMITED');
  }
  if (access.kind === 'admin') codes.add('FORBIDDEN');
  if (access.kind === 'member') {
    codes.add('NOT_FOUND');
    if (access.role !== 'reviewer') codes.add('FORBIDDEN');
    if (access.role === 'editor') codes.add('WORKSPACE_ARCHIVED');
  }
  if (type === 'subscription') codes.add('TOO_MANY_SUBSCRIPTIONS');
  for (const code of own) codes.add(code);
  return errorCodes.filter((code) => codes.has(code)).map(errorReference);
}

function jsonSchemaOf(schema: unknown): JsonSchema {
  const json = z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/**
 * tRPC parses a procedure's inputs one after another (the builder's `workspaceId`, then the procedure's own) and
 * merges the results; for the reference they are one object when they are all objects.
 */
function mergedInput(inputs: unknown[]): JsonSchema | undefined {
  const schemas = inputs.map(jsonSchemaOf);
  if (schemas.length <= 1) return schemas[0];
  if (!schemas.every((s) => s.type === 'object')) return { allOf: schemas };
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const schema of schemas) {
    Object.assign(properties, schema.properties);
    for (const name of (schema.required as string[] | undefined) ?? []) required.add(name);
  }
  // No `additionalProperties: false`: zod objects drop unknown keys rather than refuse them.
  return { type: 'object', properties, required: [...required] };
}

export function apiReference(router = appRouter): ProcedureReference[] {
  return Object.entries(routerProcedures(router)).map(([path, procedure]) => {
    const { type, inputs, meta = {} } = procedure._def;
    const access = meta.access ?? { kind: 'public' };
    return {
      path,
      type,
      access,
      description: meta.description,
      example: meta.example,
      input: mergedInput(inputs),
      errors: errorsOf(type, access, inputs.length > 0, meta.errors ?? []),
    };
  });
}

/** Whether a procedure's example input passes every one of its input schemas, as a real call would. */
export function checkExample(procedure: RouterProcedure): { ok: true } | { ok: false; problem: string } {
  const input = procedure._def.meta?.example?.input;
  for (const schema of procedure._def.inputs) {
    const result = (schema as z.ZodType).safeParse(input);
    if (!result.success) return { ok: false, problem: z.prettifyError(result.error) };
  }
  return { ok: true };
}
