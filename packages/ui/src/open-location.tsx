// Links from anywhere in the app (task timelines, check findings, comments) straight to a file and line. The code
// mode provides the opener; without one (e.g. a standalone timeline) a location renders as plain code.
import { createContext, useContext, type ReactNode } from 'react';

/** Opens `path` in the editor with the caret at 1-based `line` and `column` (the line's start without a column, the
 * file's start without a line). */
export type OpenLocation = (path: string, line?: number, column?: number) => void;

export const OpenLocationContext = createContext<OpenLocation | null>(null);

export function LocationLink({
  path,
  line,
  col,
  className = 'font-mono text-[0.85em]',
  children,
}: {
  path: string;
  line?: number;
  col?: number;
  className?: string;
  children?: ReactNode;
}) {
  const open = useContext(OpenLocationContext);
  const text =
    children ?? `${path}${line === undefined ? '' : `:${line}`}${col === undefined ? '' : `:${col}`}`;
  if (!open) return <code className={`${className} text-zinc-800`}>{text}</code>;
  return (
    <button
      type="button"
      onClick={() => open(path, line, col)}
      title={
        line === undefined
          ? `Open ${path}`
          : `Open ${path} at line ${line}${col === undefined ? '' : `, column ${col}`}`
      }
      className={`${className} cursor-pointer text-left text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700`}
    >
      {text}
    </button>
  );
}
