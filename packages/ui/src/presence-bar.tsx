// Who is in the workspace right now: overlapping avatars in each member's cursor colour, one per person
// (however many tabs they have open), each a toggle to follow that person's editor.
import { useId, useRef, useState, type KeyboardEvent } from 'react';

export type PresenceRole = 'owner' | 'editor' | 'reviewer';

/** One awareness client: a browser tab of a workspace member. */
export interface PresenceMember {
  clientId: number;
  userId: string;
  name: string;
  /** The member's cursor colour, `#rgb`, `#rrggbb` (alpha ignored) or `rgb(…)`. */
  color: string;
  /** The file open in that tab. */
  path?: string | null;
  isSelf?: boolean;
  role?: PresenceRole;
}

export interface PresenceBarProps {
  /** Awareness clients in arrival order: for a person with several tabs the later one counts as more recent. */
  members: readonly PresenceMember[];
  /** The clientId being followed, if any. */
  following?: number | null;
  /** A clientId to follow, or null to stop. */
  onFollow: (clientId: number | null) => void;
  /** Avatars shown before the rest collapse into "+N". */
  max?: number;
  ariaLabel?: string;
}

/** One person, represented by the tab that speaks for them, with every clientId they hold. */
export interface PresencePerson {
  member: PresenceMember;
  clientIds: number[];
}

type Rgb = readonly [number, number, number];

// Initials take whole user-perceived characters, so "Émile" or a flag emoji is not cut in half.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Up to two initials: first and last word, `ada@example.com` reads as "A". Unicode-aware; "?" if empty. */
export function initials(name: string): string {
  const words =
    name
      .split('@')[0]
      ?.split(/[\s._-]+/u)
      .filter((w) => w !== '') ?? [];
  const first = words[0];
  if (first === undefined) return '?';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  const letter = (w: string) =>
    (graphemes.segment(w)[Symbol.iterator]().next().value?.segment ?? '').toLocaleUpperCase();
  return letter(first) + (last === undefined ? '' : letter(last));
}

function channel(value: string): number | null {
  const n = value.endsWith('%') ? (Number(value.slice(0, -1)) * 255) / 100 : Number(value);
  return Number.isFinite(n) ? Math.min(255, Math.max(0, n)) : null;
}

/** Parses the colour notations awareness states use; null for anything else (named colours, hsl …). */
export function parseColor(color: string): Rgb | null {
  const c = color.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(c)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? hex.replace(/./g, '$&$&') : hex;
    const at = (i: number) => parseInt(full.slice(i, i + 2), 16);
    return [at(0), at(2), at(4)];
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(c)?.[1];
  if (!fn) return null;
  const [r, g, b] = fn
    .split(/[\s,/]+/)
    .filter((p) => p !== '')
    .map(channel);
  if (r == null || g == null || b == null) return null;
  return [r, g, b];
}

/** WCAG 2 relative luminance of an sRGB colour. */
export function relativeLuminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White text where it reaches AA (4.5:1) on `background`, black otherwise — black always reaches AA when
 * white does not. An unparseable colour gets black, the safer bet on the light colours people pick. */
export function readableTextColor(background: string): '#ffffff' | '#000000' {
  const rgb = parseColor(background);
  return rgb && contrastRatio(rgb, [255, 255, 255]) >= 4.5 ? '#ffffff' : '#000000';
}

const fallbackBackground = '#52525b';

/** The avatar's colours: the member colour with readable text, or neutral zinc when the colour cannot be
 * checked for contrast. */
export function avatarColors(color: string): { backgroundColor: string; color: string } {
  if (!parseColor(color)) return { backgroundColor: fallbackBackground, color: '#ffffff' };
  return { backgroundColor: color, color: readableTextColor(color) };
}

/** One entry per person, self first, the rest in order of first arrival. A person's own tab stands for them
 * if it is this tab; otherwise their latest tab with a file open, else their latest tab. */
export function groupPeople(members: readonly PresenceMember[]): PresencePerson[] {
  const byUser = new Map<string, PresenceMember[]>();
  for (const m of members) byUser.set(m.userId, [...(byUser.get(m.userId) ?? []), m]);
  const people: PresencePerson[] = [];
  for (const tabs of byUser.values()) {
    const member =
      tabs.find((t) => t.isSelf) ?? tabs.findLast((t) => Boolean(t.path)) ?? tabs[tabs.length - 1];
    if (member) people.push({ member, clientIds: tabs.map((t) => t.clientId) });
  }
  const selfAt = people.findIndex((p) => p.member.isSelf);
  if (selfAt > 0) people.unshift(...people.splice(selfAt, 1));
  return people;
}

function doing({ path, role }: PresenceMember): string {
  if (!path) return '';
  return `${role === 'reviewer' ? 'viewing' : 'editing'} ${path}`;
}

function tooltip(member: PresenceMember): string {
  const who = `${member.name}${member.isSelf ? ' (you)' : ''}${member.role ? ` · ${member.role}` : ''}`;
  return member.path ? `${who} — ${member.path}` : who;
}

const focusRing = 'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';
const avatarBase =
  'relative inline-flex h-7 w-7 shrink-0 items-center justify-center rounded-full text-[10px] leading-none font-semibold ring-2 select-none';

function Avatar({ member, followed }: { member: PresenceMember; followed: boolean }) {
  return (
    <span
      aria-hidden="true"
      className={`${avatarBase} ${followed ? 'ring-indigo-600 ring-offset-1 ring-offset-white' : 'ring-white'}`}
      style={avatarColors(member.color)}
    >
      {initials(member.name)}
    </span>
  );
}

function FollowButton({
  person,
  followed,
  onFollow,
  wide = false,
}: {
  person: PresencePerson;
  followed: boolean;
  onFollow: (clientId: number | null) => void;
  wide?: boolean;
}) {
  const { member } = person;
  const activity = doing(member);
  const label = followed
    ? `Stop following ${member.name}`
    : `Follow ${member.name}${activity ? ` (${activity})` : ''}`;
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={followed}
      title={tooltip(member)}
      onClick={() => onFollow(followed ? null : member.clientId)}
      className={
        wide
          ? `flex w-full items-center gap-2 px-2 py-1 text-left text-sm text-zinc-900 hover:bg-zinc-100 ${focusRing} ${followed ? 'bg-indigo-50 text-indigo-900' : ''}`
          : `relative rounded-full hover:z-10 focus-visible:z-10 ${focusRing} ${followed ? 'z-10' : ''}`
      }
    >
      <Avatar member={member} followed={followed} />
      {wide && (
        <span className="min-w-0">
          <span className="block truncate">{member.name}</span>
          {member.path && <span className="block truncate text-xs text-zinc-600">{member.path}</span>}
        </span>
      )}
    </button>
  );
}

export function PresenceBar({
  members,
  following = null,
  onFollow,
  max = 6,
  ariaLabel = 'People in this workspace',
}: PresenceBarProps) {
  const [moreOpen, setMoreOpen] = useState(false);
  const moreButton = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const people = groupPeople(members);
  const isFollowed = (p: PresencePerson) => following !== null && p.clientIds.includes(following);

  // Self always shows, so at least one slot.
  const slots = Math.max(1, max);
  let shown = people.slice(0, slots);
  let rest = people.slice(slots);
  // Whoever is being followed stays in sight: they take the last slot rather than hide behind "+N".
  const followedAt = rest.findIndex(isFollowed);
  const displaced = shown.at(-1);
  if (followedAt >= 0 && displaced && !displaced.member.isSelf) {
    const followed = rest[followedAt];
    if (followed) {
      shown = [...shown.slice(0, -1), followed];
      rest = [displaced, ...rest.filter((_, i) => i !== followedAt)];
    }
  }

  const closeMore = (refocus: boolean) => {
    setMoreOpen(false);
    if (refocus) moreButton.current?.focus();
  };
  const onMoreKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Escape' && moreOpen) {
      e.preventDefault();
      closeMore(true);
    }
  };

  return (
    <ul aria-label={ariaLabel} className="flex items-center">
      {shown.map((person, i) => {
        const { member } = person;
        const spacing = i === 0 ? '' : '-ml-1';
        if (member.isSelf) {
          const activity = doing(member);
          return (
            <li key={member.userId} className={spacing}>
              <span
                role="img"
                aria-label={`${member.name} (you)${activity ? `, ${activity}` : ''}`}
                title={tooltip(member)}
                className="inline-flex rounded-full"
              >
                <Avatar member={member} followed={false} />
              </span>
            </li>
          );
        }
        return (
          <li key={member.userId} className={spacing}>
            <FollowButton person={person} followed={isFollowed(person)} onFollow={onFollow} />
          </li>
        );
      })}
      {rest.length > 0 && (
        <li
          className="relative -ml-1"
          onKeyDown={onMoreKeyDown}
          onBlur={(e) => {
            if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)))
              closeMore(false);
          }}
        >
          <button
            ref={moreButton}
            type="button"
            aria-label={`${rest.length} more ${rest.length === 1 ? 'person' : 'people'}`}
            aria-expanded={moreOpen}
            aria-controls={moreOpen ? listId : undefined}
            title={rest.map((p) => p.member.name).join(', ')}
            onClick={() => setMoreOpen((open) => !open)}
            className={`${avatarBase} bg-zinc-200 text-zinc-900 ring-white hover:bg-zinc-300 ${focusRing}`}
          >
            +{rest.length}
          </button>
          {moreOpen && (
            <ul
              id={listId}
              aria-label="More people"
              className="absolute top-full right-0 z-30 mt-1 max-h-72 w-56 overflow-auto rounded-md border border-zinc-200 bg-white py-1 shadow-lg"
            >
              {rest.map((person) => (
                <li key={person.member.userId}>
                  <FollowButton
                    person={person}
                    followed={isFollowed(person)}
                    onFollow={(clientId) => {
                      onFollow(clientId);
                      closeMore(true);
                    }}
                    wide
                  />
                </li>
              ))}
            </ul>
          )}
        </li>
      )}
    </ul>
  );
}
