// The top-level API of a TS/JS file as short signature lines, read with the TypeScript parser (no program or
// type checker: one file, syntax only). A model reading the repo map learns what exists and how to call it
// without the file's bodies: `function parse(text: string, options?: ParseOptions): Result`.
import ts from 'typescript';
import { detectLanguage } from '../files/language.ts';

export interface SymbolLine {
  /** Nesting under the file: 0 for top-level declarations, 1 for class and interface members. */
  depth: 0 | 1;
  text: string;
}

export interface SymbolOptions {
  /** Longest signature line; longer ones are cut with an ellipsis. */
  maxLineChars?: number;
  /** Members listed per class or interface. */
  maxMembers?: number;
  /** Lines per file, members included. */
  maxLines?: number;
}

const defaults = { maxLineChars: 120, maxMembers: 12, maxLines: 60 } as const;

function scriptKindOf(path: string): ts.ScriptKind | undefined {
  switch (detectLanguage(path)) {
    case 'typescript':
      return ts.ScriptKind.TS;
    case 'tsx':
      return ts.ScriptKind.TSX;
    case 'javascript':
      return ts.ScriptKind.JS;
    case 'jsx':
      return ts.ScriptKind.JSX;
    default:
      return undefined;
  }
}

export function hasSymbolSupport(path: string): boolean {
  return scriptKindOf(path) !== undefined;
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

class Printer {
  readonly #file: ts.SourceFile;

  constructor(file: ts.SourceFile) {
    this.#file = file;
  }

  text(node: ts.Node | undefined): string {
    return node === undefined ? '' : squash(node.getText(this.#file));
  }

  typeParameters(list: ts.NodeArray<ts.TypeParameterDeclaration> | undefined): string {
    return list === undefined || list.length === 0 ? '' : `<${list.map((p) => this.text(p)).join(', ')}>`;
  }

  // Default values are left out: `timeout = 30_000` reads as `timeout?`, which is what a caller needs to know.
  parameters(list: ts.NodeArray<ts.ParameterDeclaration>): string {
    return list
      .map((p) => {
        const rest = p.dotDotDotToken === undefined ? '' : '...';
        const optional = p.questionToken !== undefined || p.initializer !== undefined ? '?' : '';
        const type = p.type === undefined ? '' : `: ${this.text(p.type)}`;
        return `${rest}${this.text(p.name)}${optional}${type}`;
      })
      .join(', ');
  }

  signature(node: ts.SignatureDeclarationBase): string {
    const returns = node.type === undefined ? '' : `: ${this.text(node.type)}`;
    return `${this.typeParameters(node.typeParameters)}(${this.parameters(node.parameters)})${returns}`;
  }

  heritage(clauses: ts.NodeArray<ts.HeritageClause> | undefined): string {
    return clauses === undefined || clauses.length === 0
      ? ''
      : ` ${clauses.map((c) => this.text(c)).join(' ')}`;
  }
}

function prefixOf(node: ts.Node): string {
  let prefix = '';
  if (hasModifier(node, ts.SyntaxKind.DefaultKeyword)) prefix += 'default ';
  if (hasModifier(node, ts.SyntaxKind.DeclareKeyword)) prefix += 'declare ';
  if (hasModifier(node, ts.SyntaxKind.AbstractKeyword)) prefix += 'abstract ';
  if (hasModifier(node, ts.SyntaxKind.AsyncKeyword)) prefix += 'async ';
  return prefix;
}

function isHiddenMember(member: ts.ClassElement | ts.TypeElement): boolean {
  if (
    hasModifier(member, ts.SyntaxKind.PrivateKeyword) ||
    hasModifier(member, ts.SyntaxKind.ProtectedKeyword)
  ) {
    return true;
  }
  return member.name !== undefined && ts.isPrivateIdentifier(member.name);
}

function memberLine(member: ts.ClassElement | ts.TypeElement, print: Printer): string | undefined {
  if (isHiddenMember(member)) return undefined;
  const statik = hasModifier(member, ts.SyntaxKind.StaticKeyword) ? 'static ' : '';
  const readonly = hasModifier(member, ts.SyntaxKind.ReadonlyKeyword) ? 'readonly ' : '';
  const optional = 'questionToken' in member && member.questionToken !== undefined ? '?' : '';
  if (ts.isConstructorDeclaration(member)) return `constructor(${print.parameters(member.parameters)})`;
  if (ts.isMethodDeclaration(member) || ts.isMethodSignature(member)) {
    const async = hasModifier(member, ts.SyntaxKind.AsyncKeyword) ? 'async ' : '';
    return `${statik}${async}${print.text(member.name)}${optional}${print.signature(member)}`;
  }
  if (ts.isPropertyDeclaration(member) || ts.isPropertySignature(member)) {
    const type = member.type === undefined ? '' : `: ${print.text(member.type)}`;
    return `${statik}${readonly}${print.text(member.name)}${optional}${type}`;
  }
  if (ts.isGetAccessorDeclaration(member)) {
    const type = member.type === undefined ? '' : `: ${print.text(member.type)}`;
    return `${statik}get ${print.text(member.name)}()${type}`;
  }
  if (ts.isCallSignatureDeclaration(member) || ts.isConstructSignatureDeclaration(member)) {
    return `${ts.isConstructSignatureDeclaration(member) ? 'new ' : ''}${print.signature(member)}`;
  }
  if (ts.isIndexSignatureDeclaration(member)) return print.text(member);
  return undefined;
}

function variableLines(statement: ts.VariableStatement, print: Printer): string[] {
  const flags = statement.declarationList.flags;
  const keyword = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
  return statement.declarationList.declarations.map((declaration) => {
    const name = print.text(declaration.name);
    if (declaration.type !== undefined) return `${keyword} ${name}: ${print.text(declaration.type)}`;
    const init = declaration.initializer;
    if (init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
      const async = hasModifier(init, ts.SyntaxKind.AsyncKeyword) ? 'async ' : '';
      return `${keyword} ${name} = ${async}${print.signature(init)} => …`;
    }
    return `${keyword} ${name}`;
  });
}

interface Entry {
  lines: SymbolLine[];
}

function declarationEntry(statement: ts.Statement, print: Printer, maxMembers: number): Entry | undefined {
  const prefix = prefixOf(statement);
  const top = (text: string): SymbolLine => ({ depth: 0, text });
  const withMembers = (head: string, members: readonly (ts.ClassElement | ts.TypeElement)[]): Entry => {
    const lines: SymbolLine[] = [top(head)];
    const shown: string[] = [];
    let hidden = 0;
    for (const member of members) {
      const line = memberLine(member, print);
      if (line === undefined) continue;
      if (shown.length < maxMembers) shown.push(line);
      else hidden += 1;
    }
    for (const line of shown) lines.push({ depth: 1, text: line });
    if (hidden > 0) lines.push({ depth: 1, text: `… ${hidden} more` });
    return { lines };
  };

  if (ts.isFunctionDeclaration(statement)) {
    const name = statement.name === undefined ? '' : ` ${print.text(statement.name)}`;
    const generator = statement.asteriskToken === undefined ? '' : '*';
    return { lines: [top(`${prefix}function${generator}${name}${print.signature(statement)}`)] };
  }
  if (ts.isClassDeclaration(statement)) {
    const name = statement.name === undefined ? '' : ` ${print.text(statement.name)}`;
    const head = `${prefix}class${name}${print.typeParameters(statement.typeParameters)}${print.heritage(statement.heritageClauses)}`;
    return withMembers(head, statement.members);
  }
  if (ts.isInterfaceDeclaration(statement)) {
    const head = `${prefix}interface ${print.text(statement.name)}${print.typeParameters(statement.typeParameters)}${print.heritage(statement.heritageClauses)}`;
    return withMembers(head, statement.members);
  }
  if (ts.isTypeAliasDeclaration(statement)) {
    const head = `${prefix}type ${print.text(statement.name)}${print.typeParameters(statement.typeParameters)}`;
    return { lines: [top(`${head} = ${print.text(statement.type)}`)] };
  }
  if (ts.isEnumDeclaration(statement)) {
    const constant = hasModifier(statement, ts.SyntaxKind.ConstKeyword) ? 'const ' : '';
    const members = statement.members.map((m) => print.text(m.name)).join(', ');
    return { lines: [top(`${prefix}${constant}enum ${print.text(statement.name)} { ${members} }`)] };
  }
  if (ts.isVariableStatement(statement)) {
    return { lines: variableLines(statement, print).map((text) => top(`${prefix}${text}`)) };
  }
  if (ts.isModuleDeclaration(statement)) {
    const keyword = statement.flags & ts.NodeFlags.Namespace ? 'namespace' : 'module';
    return { lines: [top(`${prefix}${keyword} ${print.text(statement.name)}`)] };
  }
  return undefined;
}

function isExported(statement: ts.Statement): boolean {
  return hasModifier(statement, ts.SyntaxKind.ExportKeyword);
}

function exportOnlyLine(statement: ts.Statement, print: Printer): string | undefined {
  if (ts.isExportDeclaration(statement)) return print.text(statement).replace(/;$/, '');
  if (ts.isExportAssignment(statement)) {
    return `${statement.isExportEquals === true ? 'export =' : 'export default'} ${print.text(statement.expression)}`;
  }
  return undefined;
}

/**
 * Signature lines for the exported declarations of a TS/JS file (functions, classes with their public members,
 * interfaces, types, enums, variables, re-exports). A file that exports nothing, such as a script, lists its
 * top-level functions and classes instead. Overloads show their signatures, not the implementation's.
 */
export function extractSymbols(path: string, text: string, options: SymbolOptions = {}): SymbolLine[] {
  const kind = scriptKindOf(path);
  if (kind === undefined) return [];
  const { maxLineChars, maxMembers, maxLines } = { ...defaults, ...options };
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  const print = new Printer(file);

  const exported: SymbolLine[] = [];
  const local: SymbolLine[] = [];
  const overloaded = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      const name = statement.name.text;
      if (statement.body === undefined) overloaded.add(name);
      else if (overloaded.has(name)) continue;
    }
    const reexport = exportOnlyLine(statement, print);
    if (reexport !== undefined) {
      exported.push({ depth: 0, text: reexport });
      continue;
    }
    const entry = declarationEntry(statement, print, maxMembers);
    if (entry === undefined) continue;
    if (isExported(statement)) exported.push(...entry.lines);
    else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement))
      local.push(...entry.lines);
  }
  const chosen = exported.length > 0 ? exported : local;
  const lines = chosen
    .slice(0, maxLines)
    .map((line) => ({ depth: line.depth, text: clip(line.text, maxLineChars) }));
  if (chosen.length > maxLines) lines.push({ depth: 0, text: `… ${chosen.length - maxLines} more` });
  return lines;
}
