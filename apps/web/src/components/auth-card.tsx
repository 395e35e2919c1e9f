// The centred card of the sign-in and password pages: the logo above one form, named by its heading.
import type { ReactNode, SyntheticEvent } from 'react';
import { Logo } from './ui.tsx';

export function AuthCard({
  titleId,
  onSubmit,
  children,
}: {
  /** The id of the form's heading, which names the form. */
  titleId: string;
  onSubmit: (event: SyntheticEvent) => void;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-full items-center justify-center bg-gradient-to-b from-indigo-50 to-zinc-50 p-4">
      <div className="grid w-full max-w-sm gap-6">
        <div className="flex justify-center">
          <Logo />
        </div>
        <form
          noValidate
          onSubmit={onSubmit}
          aria-labelledby={titleId}
          className="grid gap-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm"
        >
          {children}
        </form>
      </div>
    </main>
  );
}
