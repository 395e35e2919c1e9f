// Each procedure's output type as TypeScript prints it: the router's outputs are inferred from the services (they
// have no zod output schemas), so the type checker is the honest source. One program over a small entry file that
// names `inferRouterOutputs<AppRouter>`; its properties are walked by the procedures' dotted paths.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ts from 'typescript';

const docsRoot = fileURLToPath(new URL('..', import.meta.url));

const entrySource = `import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@tandem/server/router';
export type Outputs = inferRouterOutputs<AppRouter>;
`;

const flags =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.MultilineObjectLiterals |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.WriteArrayAsGenericType;
// A named type's own definition, rather than its name.
const aliasFlags = flags | ts.TypeFormatFlags.InTypeAlias;

export interface OutputTypes {
  /** Output type by dotted procedure path; for subscriptions, the type of each value they yield. */
  outputs: Map<string, string>;
  /** Named types those refer to (from @tandem/core), with their shape, by name. */
  named: Map<string, string>;
}

// `import("/abs/path/packages/core/src/index").TreeEntry` -> `TreeEntry`, and the name remembered.
const importedName = /import\("[^"]+"\)\.([A-Za-z_$][\w$]*)/g;

/** Output types by dotted procedure path, and the named types they use. */
export function outputTypes(paths: readonly string[]): OutputTypes {
  const entry = path.join(docsRoot, 'scripts', '__api-outputs__.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    types: ['node'],
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === entry ? entrySource : readFile(file));
  host.fileExists = (file) => file === entry || fileExists(file);
  host.getSourceFile = (file, language, onError, create) =>
    file === entry
      ? ts.createSourceFile(file, entrySource, language, true)
      : getSourceFile(file, language, onError, create);
  const program = ts.createProgram([entry], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const alias = source?.statements.find(ts.isTypeAliasDeclaration);
  if (!source || !alias) throw new Error('the output entry did not compile');
  const root = checker.getTypeAtLocation(alias.name);

  const names = new Set<string>();
  const print = (type: ts.Type, inAlias = false) =>
    checker
      // TypeFormatFlags are bit flags: combined, they are a plain number by design.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      .typeToString(type, alias, inAlias ? aliasFlags : flags)
      .replace(importedName, (_match, name: string) => {
        names.add(name);
        return name;
      });
  /** A subscription's `AsyncIterable<T>` (T possibly tRPC's tracked envelope of U) as the values clients receive. */
  const yielded = (type: ts.Type) => {
    const args = 'target' in type ? checker.getTypeArguments(type as ts.TypeReference) : [];
    const value = args[0] ?? type.aliasTypeArguments?.[0];
    if (!value) return print(type);
    // tRPC's `TrackedData<T>` ({ id, data }) is what `tracked(id, data)` yields to clients.
    const data =
      value.getSymbol()?.name === 'TrackedData' ? checker.getPropertyOfType(value, 'data') : undefined;
    const tracked = data ? checker.getTypeOfSymbolAtLocation(data, alias) : undefined;
    return tracked ? `tracked(id: string, data: ${print(tracked)})` : print(value);
  };

  const outputs = new Map<string, string>();
  for (const dotted of paths) {
    let type: ts.Type | undefined = root;
    for (const key of dotted.split('.')) {
      const property: ts.Symbol | undefined = type ? checker.getPropertyOfType(type, key) : undefined;
      type = property ? checker.getTypeOfSymbolAtLocation(property, alias) : undefined;
    }
    if (!type) throw new Error(`no output type for ${dotted}`);
    const text = print(type);
    outputs.set(dotted, text.startsWith('AsyncIterable<') ? yielded(type) : text);
  }

  // Shapes of the named types, one level deep (they may name further types, which are added in turn).
  const named = new Map<string, string>();
  const core = program.getSourceFiles().find((file) => file.fileName.endsWith('packages/core/src/index.ts'));
  const coreSymbol = core ? checker.getSymbolAtLocation(core) : undefined;
  const exports = coreSymbol ? checker.getExportsOfModule(coreSymbol) : [];
  const pending = [...names];
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (named.has(name)) continue;
    const symbol = exports.find((s) => s.name === name);
    if (!symbol) continue;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declared = checker.getDeclaredTypeOfSymbol(target);
    const before = new Set(names);
    const shape =
      declared.isUnion() || declared.isLiteral() || !(declared.flags & ts.TypeFlags.Object)
        ? print(declared, true)
        : `{\n${checker
            .getPropertiesOfType(declared)
            .map((p) => {
              const optional = p.flags & ts.SymbolFlags.Optional ? '?' : '';
              return `  ${p.name}${optional}: ${print(checker.getTypeOfSymbolAtLocation(p, alias))};`;
            })
            .join('\n')}\n}`;
    named.set(name, shape);
    for (const added of names) if (!before.has(added)) pending.push(added);
  }
  return { outputs, named };
}
