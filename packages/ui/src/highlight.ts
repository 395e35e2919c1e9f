// Syntax colours that meet WCAG AA (4.5:1) on white and on the editor's active-line tint; CodeMirror's default
// style has several that do not.
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';

export const accessibleHighlightStyle = HighlightStyle.define([
  { tag: [t.keyword, t.modifier, t.operatorKeyword, t.controlKeyword], color: '#b3261e' },
  { tag: [t.string, t.special(t.string), t.inserted], color: '#0a3069' },
  { tag: [t.regexp, t.escape], color: '#116329' },
  { tag: [t.number, t.bool, t.atom, t.null, t.url], color: '#0550ae' },
  { tag: [t.comment, t.meta, t.contentSeparator], color: '#57606a', fontStyle: 'italic' },
  {
    tag: [t.definition(t.variableName), t.function(t.variableName), t.function(t.propertyName)],
    color: '#6639ba',
  },
  { tag: [t.typeName, t.className, t.namespace, t.macroName], color: '#953800' },
  { tag: [t.propertyName, t.definition(t.propertyName), t.labelName, t.attributeName], color: '#0550ae' },
  { tag: [t.tagName, t.angleBracket], color: '#116329' },
  { tag: [t.deleted, t.invalid], color: '#82071e' },
  { tag: t.heading, color: '#0550ae', fontWeight: 'bold' },
  { tag: t.strong, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.link, color: '#0550ae', textDecoration: 'underline' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
]);

export function accessibleHighlighting(): Extension {
  return syntaxHighlighting(accessibleHighlightStyle);
}
