/**
 * The code's shape against issue 13's limits: files in workflows/, activities/, worker/ and templates/ over
 * 200 lines, and functions over 80 lines. JSX components and sample data are exempt from the function limit
 * (listed apart). Also the median file size per folder. Exits 1 when a file or function is over its limit.
 *
 *   npx tsx scripts/code-shape.ts            # the work tree (files git knows)
 *   npx tsx scripts/code-shape.ts <commit>   # a commit, e.g. for before/after figures
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const FOLDERS = ['workflows', 'activities', 'worker', 'templates'] as const;
const MAX_FILE_LINES = 200;
const MAX_FUNCTION_LINES = 80;

interface LongFunction {
  file: string;
  name: string;
  line: number;
  lines: number;
  /** Why it may be long: it renders JSX, or it is sample data. */
  exempt?: 'jsx' | 'sample data';
}

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.name) {
    return node.name.getText(sf);
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText(sf).slice(0, 40)}>`;
  return '<anonymous>';
}

function containsJsx(node: ts.Node): boolean {
  if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) return true;
  return ts.forEachChild(node, containsJsx) ?? false;
}

function longFunctions(file: string, text: string): LongFunction[] {
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const exempt = /sample/.test(file) ? 'sample data' : containsJsx(node) ? 'jsx' : undefined;
        found.push({ file, name: nameOf(node, sf), line: start + 1, lines, ...(exempt ? { exempt } : {}) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const rev = process.argv[2];
const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
const files = (rev ? git('ls-tree', '-r', '--name-only', rev, '--', ...FOLDERS) : git('ls-files', ...FOLDERS))
  .split('\n')
  .filter((f) => /\.tsx?$/.test(f));
const sizes = new Map<string, number>();
const functions: LongFunction[] = [];
for (const file of files) {
  const text = rev ? git('show', `${rev}:${file}`) : readFileSync(file, 'utf8');
  sizes.set(file, lineCount(text));
  functions.push(...longFunctions(file, text));
}

const longFiles = [...sizes].filter(([, n]) => n > MAX_FILE_LINES).sort((a, b) => b[1] - a[1]);
const overLimit = functions.filter((f) => !f.exempt);
const exempt = functions.filter((f) => f.exempt);

console.log(`files over ${MAX_FILE_LINES} lines: ${longFiles.length}`);
for (const [file, n] of longFiles) console.log(`  ${n}\t${file}`);
console.log(`functions over ${MAX_FUNCTION_LINES} lines: ${overLimit.length}`);
for (const f of overLimit) console.log(`  ${f.lines}\t${f.file}:${f.line} ${f.name}`);
console.log(`exempt functions over ${MAX_FUNCTION_LINES} lines (JSX, sample data): ${exempt.length}`);
for (const f of exempt) console.log(`  ${f.lines}\t${f.file}:${f.line} ${f.name} (${f.exempt})`);
console.log('median file size (lines), files:');
for (const folder of FOLDERS) {
  const n = [...sizes].filter(([f]) => f.startsWith(`${folder}/`)).map(([, l]) => l);
  console.log(`  ${folder}/\t${median(n)}\t${n.length}`);
}
if (longFiles.length > 0 || overLimit.length > 0) process.exitCode = 1;
