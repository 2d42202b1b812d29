/**
 * docs/architecture.md is true: every import of src/ goes to the same floor or a lower one, no
 * files import each other in a circle, nothing in src/ imports tests/ or fixtures/, and the
 * reference server stands alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/spawn.ts';

const files = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

/** The floors table of docs/architecture.md: module path (file or folder/) -> floor. */
function floors(): [string, number][] {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- floors:'), doc.indexOf('<!-- floors:end -->'));
  return [...table.matchAll(/^\| (\d+) \| (.+?) \|/gm)].flatMap((m) =>
    [...(m[2] as string).matchAll(/`([^`]+)`/g)].map((p) => [p[1] as string, Number(m[1])] as [string, number]),
  );
}

const FLOORS = floors();
const floorOf = (file: string): number | undefined =>
  FLOORS.find(([path]) => (path.endsWith('/') ? file.startsWith(path) : file === path))?.[1];

/**
 * The module specifiers a source text imports, read from TypeScript's syntax tree: every form
 * (`import x from`, `import type`, a bare side-effect `import '…'`, `export … from`, `export * as
 * x from`, dynamic `import(…)`, `import x = require(…)`, `require(…)`), in either kind of quotes.
 */
function specifiersIn(text: string): string[] {
  const found: string[] = [];
  const literal = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      literal(node.moduleReference.expression);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    )
      literal(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return found;
}

/** Every relative import of a file, as paths from the root. */
function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(join(ROOT, file), 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

const SRC = files('src');
const GRAPH = new Map(SRC.map((f) => [f, importsOf(f)]));

describe('the import reader', () => {
  test('sees every form of import, in either kind of quotes', () => {
    const text = [
      "import a from './a.ts';",
      'import type { B } from "./b.ts";',
      "import './c.ts';",
      'import "./d.ts";',
      "export { e } from './e.ts';",
      'export * from "./f.ts";',
      "export * as g from './g.ts';",
      "const h = await import('./h.ts');",
      'const i = await import("./i.ts");',
      "import {\n  j,\n} from './j.ts';",
      "import k = require('./k.ts');",
      'const l = require("./l.ts");',
      "// import './not-an-import.ts';",
    ].join('\n');
    expect(specifiersIn(text).sort()).toEqual(
      [
        './a.ts',
        './b.ts',
        './c.ts',
        './d.ts',
        './e.ts',
        './f.ts',
        './g.ts',
        './h.ts',
        './i.ts',
        './j.ts',
        './k.ts',
        './l.ts',
      ].sort(),
    );
  });
});

describe('docs/architecture.md', () => {
  test('names a floor for every file of src/', () => {
    expect(FLOORS.length).toBeGreaterThan(10);
    expect(SRC.filter((f) => floorOf(f) === undefined)).toEqual([]);
  });
  test('no import runs from a lower floor to a higher one', () => {
    const upward = [...GRAPH].flatMap(([f, deps]) =>
      deps
        .filter((d) => (floorOf(d) ?? -1) > (floorOf(f) ?? -1))
        .map((d) => `${f} (${floorOf(f)}) -> ${d} (${floorOf(d)})`),
    );
    expect(upward).toEqual([]);
  });
  test('nothing in src/ imports tests/ or fixtures/, and the server imports nothing else of src/', () => {
    const outside = [...GRAPH].flatMap(([f, deps]) =>
      deps.filter((d) => !d.startsWith('src/')).map((d) => `${f} -> ${d}`),
    );
    expect(outside).toEqual([]);
    const server = [...GRAPH]
      .filter(([f]) => f.startsWith('src/server/'))
      .flatMap(([f, deps]) => deps.filter((d) => !d.startsWith('src/server/')).map((d) => `${f} -> ${d}`));
    expect(server).toEqual([]);
  });
  test('the library and the vitest entry stand on src/api/, never on the command line', () => {
    const entries = ['src/index.ts', 'src/vitest.ts'];
    const reached = new Set<string>();
    const visit = (f: string): void => {
      if (reached.has(f)) return;
      reached.add(f);
      for (const d of GRAPH.get(f) ?? []) visit(d);
    };
    for (const e of entries) visit(e);
    expect([...reached].filter((f) => f.startsWith('src/cli/'))).toEqual([]);
  });
  test('no cycle among the files of src/', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const d of GRAPH.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of SRC) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
