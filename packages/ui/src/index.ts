// Everything @tandem/ui offers. Apps should prefer the subpath exports (`@tandem/ui/task-timeline` …) so a page
// that shows no editor does not load CodeMirror.
export * from './status-badge.tsx';
export * from './timeline-format.ts';
export * from './task-timeline.tsx';
export * from './editor-language.ts';
export * from './collaborative-editor.tsx';
export * from './review-actions.ts';
export * from './diff-review.tsx';
export * from './file-tree-model.ts';
export * from './file-tree.tsx';
export * from './presence-bar.tsx';
export * from './upload-progress.ts';
export * from './fuzzy.ts';
export * from './check-results.ts';
export * from './check-results-view.tsx';
export * from './pane-layout.ts';
export * from './editor-tabs.ts';
export * from './line-chart.tsx';
