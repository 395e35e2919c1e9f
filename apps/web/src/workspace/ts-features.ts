// Loaded only when a TypeScript or JavaScript file opens: the editor side of language intelligence and the worker
// client, so neither the first page nor the code mode's own chunk carries them (see use-language-features.ts).
import { tsFeatures, type TsFeaturesOptions } from '@tandem/ui/ts-language-extension';
import type * as Y from 'yjs';
import { tsClientFor } from './ts-client.ts';

export function featuresFor(
  doc: Y.Doc,
  path: string,
  handlers: Pick<TsFeaturesOptions, 'openLocation' | 'showLocations'>,
): ReturnType<typeof tsFeatures> {
  return tsFeatures({ path, client: tsClientFor(doc), ...handlers });
}
