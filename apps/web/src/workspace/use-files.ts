// The workspace's paths, live: re-read only when the files map gains or loses keys, never on keystrokes.
import { useEffect, useState } from 'react';
import * as Y from 'yjs';

export function filesOf(doc: Y.Doc): Y.Map<Y.Text> {
  return doc.getMap<Y.Text>('files');
}

export function useFilePaths(doc: Y.Doc | null): string[] {
  const [paths, setPaths] = useState<string[]>([]);
  useEffect(() => {
    if (!doc) return;
    const files = filesOf(doc);
    const read = () => setPaths([...files.keys()].sort());
    read();
    const onChange = (event: Y.YMapEvent<Y.Text>) => {
      if (event.keysChanged.size > 0) read();
    };
    files.observe(onChange);
    return () => files.unobserve(onChange);
  }, [doc]);
  return paths;
}

export function useFileText(doc: Y.Doc | null, path: string | null): Y.Text | null {
  const [text, setText] = useState<Y.Text | null>(null);
  useEffect(() => {
    if (!doc || !path) {
      setText(null);
      return;
    }
    const files = filesOf(doc);
    const read = () => {
      const value = files.get(path);
      setText(value instanceof Y.Text ? value : null);
    };
    read();
    const onChange = (event: Y.YMapEvent<Y.Text>) => {
      if (event.keysChanged.has(path)) read();
    };
    files.observe(onChange);
    return () => files.unobserve(onChange);
  }, [doc, path]);
  return text;
}
