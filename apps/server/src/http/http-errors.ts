// Typed error bodies for plain HTTP routes: `{ error: { code, message } }` with the status tRPC would use for the
// same domain code, so clients handle both transports alike.
import { AppError, isAppError } from '@tandem/core';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ErrorRequestHandler, Response } from 'express';
import type { AppDeps } from '../deps.ts';
import { toTrpcError } from '../trpc/errors.ts';

/** What body-parser and http-errors attach to the errors they raise (too large, aborted, bad encoding). */
interface HttpErrorLike {
  status: number;
  message: string;
  expose?: boolean;
}

function isHttpErrorLike(value: unknown): value is HttpErrorLike {
  if (!(value instanceof Error)) return false;
  const status: unknown = (value as Error & { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Turns anything a route threw into an AppError; unexpected errors become INTERNAL and are logged by the caller. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isHttpErrorLike(error)) {
    if (error.status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    return new AppError('BAD_INPUT', error.expose === false ? 'Bad request' : error.message);
  }
  return new AppError('INTERNAL', 'Internal server error', { cause: error });
}

export function sendError(res: Response, error: AppError): void {
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
  const message = error.code === 'INTERNAL' ? 'Internal server error' : error.message;
  res.status(getHTTPStatusCodeFromError(toTrpcError(error))).json({
    error: { code: error.code, message, ...(error.details ? { details: error.details } : {}) },
  });
}

export function httpErrorHandler(deps: AppDeps): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    deps.metrics.errors.inc({ code: appError.code });
    if (appError.code === 'INTERNAL') {
      deps.logger.error({ err: appError.cause ?? error, requestId: req.id }, 'unhandled error');
    }
    sendError(res, appError);
  };
}
