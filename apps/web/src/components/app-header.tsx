import type { ReactNode } from 'react';
import { Link } from 'wouter';
import type { Me } from '../session.ts';
import { Logo } from './ui.tsx';
import { UserMenu } from './user-menu.tsx';

export function AppHeader({ me, children }: { me: Me; children?: ReactNode }) {
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 bg-white px-4">
      <Link href="/" aria-label="Tandem home" className="rounded">
        <Logo />
      </Link>
      <div className="flex min-w-0 flex-1 items-center gap-3">{children}</div>
      <UserMenu me={me} />
    </header>
  );
}
