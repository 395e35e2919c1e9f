// The system-prompt section that teaches a model our edit format. It sticks to Aider's SEARCH/REPLACE syntax
// because models are widely trained on it; every rule here is one the parser and matcher rely on.

const EXAMPLE = `src/greet.ts
\`\`\`ts
<<<<<<< SEARCH
export function greet(name: string): string {
  return 'Hello ' + name;
}
=======
export function greet(name: string, punctuation = '!'): string {
  return \`Hello \${name}\${punctuation}\`;
}
>>>>>>> REPLACE
\`\`\`

src/farewell.ts
\`\`\`ts
<<<<<<< SEARCH
=======
export const farewell = (name: string): string => \`Goodbye \${name}\`;
>>>>>>> REPLACE
\`\`\``;

/** Instructions for answering with edits; include them in the system prompt of every code-changing task. */
export function editFormatPrompt(): string {
  return `# How to change files

Describe each change with a SEARCH/REPLACE block:
1. The file path alone on a line, relative to the workspace root, exactly as shown to you.
2. An opening fence: \`\`\` with the language.
3. \`<<<<<<< SEARCH\`, then the existing lines to change, copied exactly.
4. \`=======\`, then the new lines.
5. \`>>>>>>> REPLACE\`, then the closing fence.

Rules:
- The SEARCH lines must match the file exactly, character for character, including whitespace, indentation and
  comments, and must match in only one place: include enough unchanged lines around the change to be unique.
- Keep blocks small: only the lines that change plus a little context. Use several blocks for several changes;
  they apply in order, each to the file as the blocks before it left it.
- To create a file, give its path and a block with an empty SEARCH section.
- To move code, use one block to delete it and another to insert it.
- To delete a file, use a unified diff in a \`\`\`diff fence with \`--- a/path\` and \`+++ /dev/null\`.
- If a file's content contains \`\`\`, fence the block with four backticks instead.
- Only edit files you have been shown, or create new ones.

Example: change a function in one file and create another:

${EXAMPLE}
`;
}
