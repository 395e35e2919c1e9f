// A failed call in the workspace's side panels: the message and its error code, with room for what to do next.
import type { ReactNode } from 'react';
import { errorCode, errorMessage } from '../errors.ts';

export function ErrorNote({ error, children }: { error: unknown; children?: ReactNode }) {
  const code = errorCode(error);
  return (
    <div
      role="alert"
      className="grid gap-1 rounded-md bg-red-50 p-2 text-sm text-red-900 ring-1 ring-red-200"
    >
      <p className="m-0">
        {errorMessage(error)}
        {code ? <span className="ml-1 font-mono text-xs">({code})</span> : null}
      </p>
      {children}
    </div>
  );
}
