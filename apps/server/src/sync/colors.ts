// Presence colours: distinct hues that keep AA contrast for white text on them, picked stably per user.
const palette = [
  '#1d4ed8',
  '#b91c1c',
  '#047857',
  '#7c3aed',
  '#c2410c',
  '#0e7490',
  '#be185d',
  '#4d7c0f',
  '#6d28d9',
  '#a16207',
];

export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return palette[hash % palette.length] ?? '#1d4ed8';
}
