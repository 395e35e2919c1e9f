// Language intelligence for the open file when it is TypeScript or JavaScript (other files keep highlighting only).
// The TypeScript worker and the editor parts load on the first such file, never with the page.
import type { CollaborativeEditorProps } from '@tandem/ui/collaborative-editor';
import { OpenLocationContext } from '@tandem/ui/open-location';
import { isScriptPath, type TsLocation } from '@tandem/ui/ts-language';
import { useContext, useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';

type Extension = NonNullable<CollaborativeEditorProps['extensions']>;
const none: Extension = [];

export function useLanguageFeatures(
  doc: Y.Doc | null,
  path: string | null,
  showLocations: (title: string, locations: TsLocation[]) => void,
): Extension {
  const openLocation = useContext(OpenLocationContext);
  const handlers = useRef({ openLocation, showLocations });
  handlers.current = { openLocation, showLocations };
  const [features, setFeatures] = useState<{ path: string; extension: Extension } | null>(null);
  useEffect(() => {
    if (!doc || !path || !isScriptPath(path)) return;
    let live = true;
    void import('./ts-features.ts').then(({ featuresFor }) => {
      if (!live) return;
      const extension = featuresFor(doc, path, {
        openLocation: (target, line, column) => handlers.current.openLocation?.(target, line, column),
        showLocations: (title, locations) => handlers.current.showLocations(title, locations),
      });
      setFeatures({ path, extension });
    });
    return () => {
      live = false;
    };
  }, [doc, path]);
  // A late arrival for the file that was open before is not this file's.
  return features && features.path === path ? features.extension : none;
}
