// Git-backed workspaces: remote URL rules, what of a tree becomes workspace files, change lists, authorship.
export * from './remote-url.ts';
export * from './checkout-plan.ts';
export * from './changes.ts';
export * from './attribution.ts';
export * from './trailers.ts';
export * from './schemas.ts';
export * from './pull-merge.ts';
export * from './remote-failure.ts';
export * from './ssh-key.ts';
