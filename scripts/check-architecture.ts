/**
 * Enforces the import rules of DESIGN.md §2 (run by `npm test`):
 *  1. a package imports a sibling only by name, only if it declares it in package.json, and the
 *     declared package graph has no cycle; no source file imports the private testkit;
 *  2. relative imports stay inside their own package's src/, never reach its own index.ts,
 *     and the runtime import graph of files inside a package has no cycle;
 *  3. every bare npm import in src/ is declared in that package's dependencies;
 *  4. cores stay sans-IO: sockets, timers, clocks and Math.random appear only in files under a
 *     `node/` or `io/` folder;
 *  5. no console output in src/ outside those folders (use logger() from @tsrtc/base).
 * Files over 600 lines are reported as warnings (split them by concern).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

// The tree to check: the repository, or a directory given as the first argument (the tests
// point it at small fixture trees).
const root = process.argv[2] ? resolve(process.argv[2]) : resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDir = join(root, "packages");
const errors: string[] = [];
const warnings: string[] = [];

interface Pkg {
  dir: string;
  short: string;
  name: string;
  deps: Set<string>;
  /** deps plus devDependencies: what the package's tests may import. */
  testDeps: Set<string>;
}

const pkgs = new Map<string, Pkg>();
for (const short of readdirSync(packagesDir)) {
  const pj = join(packagesDir, short, "package.json");
  if (!existsSync(pj)) continue;
  const json = JSON.parse(readFileSync(pj, "utf8")) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const deps = new Set(Object.keys(json.dependencies ?? {}));
  pkgs.set(json.name, {
    dir: join(packagesDir, short),
    short,
    name: json.name,
    deps,
    testDeps: new Set([...deps, ...Object.keys(json.devDependencies ?? {})]),
  });
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Remove comments and string/template contents so token checks see only code. */
function codeOnly(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function importsOf(src: string): Import[] {
  const out: Import[] = [];
  const noComments = src.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/(^|[^:\\])\/\/.*$/gm, "$1");
  const re = /(?:^|;|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/g;
  for (let m = re.exec(noComments); m; m = re.exec(noComments)) {
    const clause = m[3];
    const typeOnly = !!m[2] || /^\{[^}]*\}$/.test(clause) && clause.slice(1, -1).split(",").every((s) => /^\s*type\s/.test(s) || s.trim() === "");
    out.push({ spec: m[4], typeOnly });
  }
  const side = /(?:^|\n)\s*import\s*["']([^"']+)["']/g;
  for (let m = side.exec(noComments); m; m = side.exec(noComments)) out.push({ spec: m[1], typeOnly: false });
  const dyn = /import\(\s*["']([^"']+)["']\s*\)/g;
  for (let m = dyn.exec(noComments); m; m = dyn.exec(noComments)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

const builtins = new Set(builtinModules);
const ioModules = new Set(["dgram", "net", "os", "timers", "timers/promises", "perf_hooks", "dns", "http", "https", "tls", "child_process", "cluster", "worker_threads"]);
const ioTokens: [RegExp, string][] = [
  [/\bsetTimeout\s*\(/, "setTimeout"],
  [/\bsetInterval\s*\(/, "setInterval"],
  [/\bsetImmediate\s*\(/, "setImmediate"],
  [/\bDate\.now\s*\(/, "Date.now()"],
  [/\bnew\s+Date\s*\(\s*\)/, "new Date()"],
  [/\bperformance\.now\s*\(/, "performance.now()"],
  [/\bprocess\.hrtime\b/, "process.hrtime"],
  [/\bMath\.random\s*\(/, "Math.random()"],
];

function isIoFile(pkgDir: string, file: string): boolean {
  const rel = relative(join(pkgDir, "src"), file).split(sep);
  return rel.includes("node") || rel.includes("io");
}

function resolveRelative(from: string, spec: string): string {
  const abs = resolve(dirname(from), spec);
  const candidates = [abs.replace(/\.js$/, ".ts"), abs, `${abs}.ts`, join(abs, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? abs;
}

const fileGraph = new Map<string, string[]>();

for (const pkg of pkgs.values()) {
  const srcDir = join(pkg.dir, "src");
  const ownIndex = join(srcDir, "index.ts");
  for (const file of walk(srcDir)) {
    const rel = relative(root, file);
    const src = readFileSync(file, "utf8");
    const lines = src.split("\n").length;
    if (lines > 600) warnings.push(`${rel}: ${lines} lines (DESIGN.md asks for ~600 at most: split by concern)`);
    const io = isIoFile(pkg.dir, file);
    const edges: string[] = [];
    for (const { spec, typeOnly } of importsOf(src)) {
      if (spec.startsWith(".")) {
        const target = resolveRelative(file, spec);
        if (!target.startsWith(srcDir + sep)) {
          errors.push(`${rel}: relative import "${spec}" leaves ${pkg.name}/src (import a sibling by its package name)`);
        } else if (target === ownIndex) {
          errors.push(`${rel}: imports its own package's index.ts ("${spec}"); import the file that holds the thing`);
        } else if (!typeOnly) {
          edges.push(target);
        }
        continue;
      }
      const bare = spec.startsWith("node:") ? spec.slice(5) : spec;
      if (spec.startsWith("node:") || builtins.has(bare)) {
        if (!io && ioModules.has(bare)) {
          errors.push(`${rel}: imports "${spec}" in a sans-IO core (only files under node/ or io/ may)`);
        }
        continue;
      }
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (name === pkg.name) {
        errors.push(`${rel}: imports its own package by name ("${spec}"); use a relative import`);
        continue;
      }
      if (name === "@tsrtc/testkit") {
        errors.push(`${rel}: src/ imports the private @tsrtc/testkit (tests only)`);
        continue;
      }
      if (!pkg.deps.has(name)) {
        errors.push(`${rel}: imports "${name}", which ${pkg.name}'s package.json does not list in dependencies`);
      }
    }
    fileGraph.set(file, edges);
    if (!io) {
      const code = codeOnly(src);
      for (const [re, what] of ioTokens) {
        if (re.test(code)) errors.push(`${rel}: uses ${what} in a sans-IO core (time and randomness are handed in)`);
      }
      if (/\bconsole\.(log|info|warn|error|debug)\s*\(/.test(code)) {
        errors.push(`${rel}: console output in src/ (use logger() from @tsrtc/base)`);
      }
    }
  }
}

// Tests may import their own package and its declared (dev)dependencies by name, no other
// workspace package: an undeclared sibling would resolve here through the workspace but not for a user.
for (const pkg of pkgs.values()) {
  for (const file of walk(join(pkg.dir, "test"))) {
    for (const { spec } of importsOf(readFileSync(file, "utf8"))) {
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (name !== pkg.name && pkgs.has(name) && !pkg.testDeps.has(name)) {
        errors.push(`${relative(root, file)}: imports "${name}", which ${pkg.name} lists in neither dependencies nor devDependencies`);
      }
    }
  }
}

// Cycles: between packages (declared dependencies) and between files inside a package.
function findCycle(graph: Map<string, Iterable<string>>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of graph.keys()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}

const pkgGraph = new Map<string, string[]>();
for (const p of pkgs.values()) pkgGraph.set(p.name, [...p.deps].filter((d) => pkgs.has(d)));
const pkgCycle = findCycle(pkgGraph);
if (pkgCycle) errors.push(`package dependency cycle: ${pkgCycle.join(" -> ")}`);
const fileCycle = findCycle(fileGraph);
if (fileCycle) errors.push(`import cycle: ${fileCycle.map((f) => relative(root, f)).join(" -> ")}`);

for (const w of warnings) console.warn(`warning: ${w}`);
if (errors.length > 0) {
  for (const e of errors) console.error(`error: ${e}`);
  console.error(`\ncheck-architecture: ${errors.length} violation(s) of DESIGN.md §2`);
  process.exit(1);
}
console.log(`check-architecture: ${pkgs.size} packages, ${fileGraph.size} source files, import rules hold`);
