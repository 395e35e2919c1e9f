// Whom I am following, said in words and in their colour above the editor, with the way out.
import { avatarColors } from '@tandem/ui/presence-bar';
import { Button } from '../components/ui.tsx';

export function FollowBanner({ name, color, onStop }: { name: string; color: string; onStop: () => void }) {
  const swatch = avatarColors(color).backgroundColor;
  return (
    <section
      aria-label={`Following ${name}`}
      className="flex shrink-0 items-center gap-2 border-b border-zinc-200 bg-zinc-50 px-3 py-1 text-sm"
      style={{ boxShadow: `inset 4px 0 0 ${swatch}` }}
    >
      <span
        aria-hidden="true"
        data-presence-color={swatch}
        className="size-3 shrink-0 rounded-full"
        style={{ background: swatch }}
      />
      <span className="font-semibold text-zinc-900">Following {name}</span>
      <span className="min-w-0 flex-1 truncate text-zinc-700">
        Typing or clicking in your editor stops following.
      </span>
      <Button size="sm" onClick={onStop}>
        Stop
      </Button>
    </section>
  );
}
