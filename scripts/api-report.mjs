// The API report: every name each entry of the package exports (package.json `exports`), with its kind and a one-line
// signature, sorted, one file per entry in etc/api/, so a change to the public surface shows in review.
// test/architecture/api-report.test.ts fails when the committed files differ from what this script makes.
//   node scripts/api-report.mjs           rewrite etc/api/*.api.md (npm run api:report)
//   node scripts/api-report.mjs --check   exit 1 naming the files that differ
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The entries: import path, source module, report file. The layered entries share no name (the test checks). */
export const ENTRIES = [
  { entry: 'margin-core', source: 'src/index.ts', report: 'etc/api/margin-core.api.md', layer: true },
  { entry: 'margin-core/plugin', source: 'src/plugin.ts', report: 'etc/api/plugin.api.md', layer: true },
  { entry: 'margin-core/scale', source: 'src/scale.ts', report: 'etc/api/scale.api.md', layer: true },
  { entry: 'margin-core/math', source: 'src/math.ts', report: 'etc/api/math.api.md', layer: true },
  { entry: 'margin-core/io', source: 'src/io.ts', report: 'etc/api/io.api.md', layer: true },
  // the pricer alone, for pages: a subset of the root's names (the same declarations) plus its own
  { entry: 'margin-core/greeks', source: 'src/greeks/index.ts', report: 'etc/api/greeks.api.md', layer: false },
];

const oneLine = (text) => text.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
/** A node's source without its comments, on one line. */
const print = (node) => oneLine(printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile()));

function program(root) {
  const configPath = join(root, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  return ts.createProgram(ENTRIES.map((e) => join(root, e.source)), { ...options, noEmit: true });
}

function typeParams(decl) {
  return decl.typeParameters?.length ? `<${decl.typeParameters.map((p) => print(p)).join(', ')}>` : '';
}

const isPublic = (member) =>
  !(ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !(member.name && ts.isPrivateIdentifier(member.name));

/** A member list `{ a; b(); get c }` of an interface or a class (public members only). */
function members(decl) {
  const names = [];
  for (const m of decl.members) {
    if (!isPublic(m) || ts.isClassStaticBlockDeclaration(m) || ts.isSemicolonClassElement(m)) continue;
    const stat = ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static ? 'static ' : '';
    const ro = ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
    if (ts.isConstructorDeclaration(m)) names.push(`constructor(${m.parameters.map((p) => `${p.name.getText()}${p.questionToken || p.initializer ? '?' : ''}`).join(', ')})`);
    else if (ts.isIndexSignatureDeclaration(m)) names.push(print(m).replace(/;$/, ''));
    else if (ts.isCallSignatureDeclaration(m)) names.push('()');
    else {
      const name = m.name.getText();
      const optional = m.questionToken ? '?' : '';
      if (ts.isMethodDeclaration(m) || ts.isMethodSignature(m)) names.push(`${stat}${name}${optional}()`);
      else if (ts.isGetAccessorDeclaration(m)) names.push(`${stat}get ${name}`);
      else if (ts.isSetAccessorDeclaration(m)) names.push(`${stat}set ${name}`);
      else names.push(`${stat}${ro}${name}${optional}`);
    }
  }
  return [...new Set(names)].join('; ');
}

/** The kind and the one-line signature of an exported symbol. */
function describe(checker, symbol, name) {
  const decl = symbol.declarations?.[0];
  if (!decl) return { kind: 'unknown', signature: name };
  if (ts.isClassDeclaration(decl)) {
    const base = decl.heritageClauses?.map((h) => oneLine(h.getText())).join(' ') ?? '';
    return { kind: 'class', signature: `class ${name}${typeParams(decl)}${base ? ` ${base}` : ''} { ${members(decl)} }` };
  }
  if (ts.isInterfaceDeclaration(decl)) {
    const base = decl.heritageClauses?.map((h) => oneLine(h.getText())).join(' ') ?? '';
    return { kind: 'interface', signature: `interface ${name}${typeParams(decl)}${base ? ` ${base}` : ''} { ${members(decl)} }` };
  }
  if (ts.isTypeAliasDeclaration(decl)) return { kind: 'type', signature: `type ${name}${typeParams(decl)} = ${print(decl.type)}` };
  if (ts.isFunctionDeclaration(decl)) {
    const signatures = checker.getTypeOfSymbolAtLocation(symbol, decl).getCallSignatures();
    const text = signatures.map((s) => `${name}${oneLine(checker.signatureToString(s, decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature))}`);
    return { kind: 'function', signature: `function ${text.join(' | ')}` };
  }
  if (ts.isVariableDeclaration(decl)) {
    const type = decl.type ? print(decl.type) : oneLine(checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl), decl, ts.TypeFormatFlags.NoTruncation));
    return { kind: 'const', signature: `const ${name}: ${type}` };
  }
  if (ts.isEnumDeclaration(decl)) return { kind: 'enum', signature: `enum ${name}` };
  return { kind: ts.SyntaxKind[decl.kind], signature: name };
}

/**
 * Every entry's exports: name, kind, signature and where it is declared (file:position, to tell two declarations of
 * one name apart), sorted by name.
 */
export function collectApi(root = ROOT) {
  const prog = program(root);
  const checker = prog.getTypeChecker();
  return ENTRIES.map((e) => {
    const file = prog.getSourceFile(join(root, e.source));
    if (!file) throw new Error(`api-report: ${e.source} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    const names = (moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []).map((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decl = symbol.declarations?.[0];
      const declaredAt = decl ? `${decl.getSourceFile().fileName.slice(root.length + 1)}:${decl.pos}` : '?';
      return { name: exported.name, declaredAt, ...describe(checker, symbol, exported.name) };
    });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { ...e, names };
  });
}

/** One entry's report file. */
export function renderReport(api) {
  const kinds = {};
  for (const n of api.names) kinds[n.kind] = (kinds[n.kind] ?? 0) + 1;
  const counts = Object.entries(kinds).sort().map(([k, c]) => `${c} ${k}`).join(', ');
  return [
    `# ${api.entry}`,
    '',
    `The names \`${api.entry}\` exports (${api.source}): ${api.names.length} (${counts}). Generated by`,
    '`npm run api:report` (scripts/api-report.mjs); test/architecture/api-report.test.ts fails when this file is not',
    'what the sources give. One line a name, starting with its kind; members of classes and interfaces by name.',
    'docs/api.md says what each entry is for.',
    '',
    '```text',
    ...api.names.map((n) => n.signature),
    '```',
    '',
  ].join('\n');
}

/** The report files as the sources give them: path → text. */
export function apiReports(root = ROOT) {
  return new Map(collectApi(root).map((api) => [api.report, renderReport(api)]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [path, text] of apiReports()) {
    const file = join(ROOT, path);
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (committed === text) continue;
    stale.push(path);
    if (!check) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  if (check && stale.length > 0) {
    process.stderr.write(`api-report: ${stale.join(', ')} differ from the sources (npm run api:report rewrites them)\n`);
    process.exit(1);
  }
  process.stderr.write(check ? 'api-report: up to date\n' : `api-report: ${stale.length === 0 ? 'unchanged' : `wrote ${stale.join(', ')}`}\n`);
}
