import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const script = join(repo, "scripts/check-architecture.ts");
const tsx = join(repo, "node_modules/.bin/tsx");
const made: string[] = [];

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsrtc-arch-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function check(dir: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(tsx, [script, dir], { encoding: "utf8", stdio: "pipe" }) };
  } catch (e) {
    const err = e as { stdout: string; stderr: string };
    return { ok: false, out: err.stdout + err.stderr };
  }
}

const pkg = (name: string, deps: string[] = []): string =>
  JSON.stringify({ name, dependencies: Object.fromEntries(deps.map((d) => [d, "0.0.0"])) });

afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe("check-architecture", () => {
  it("accepts a clean tree with sockets and timers under node/", () => {
    const r = check(
      tree({
        "packages/a/package.json": pkg("@x/a"),
        "packages/a/src/index.ts": 'export * from "./core.js";\n',
        "packages/a/src/core.ts": "export const now = (t: number) => t; // setTimeout( in a comment\n",
        "packages/a/src/node/run.ts": 'import dgram from "node:dgram";\nsetTimeout(() => dgram, 1);\n',
        "packages/b/package.json": pkg("@x/b", ["@x/a"]),
        "packages/b/src/index.ts": 'import { now } from "@x/a";\nexport const t = now(Date.length);\n',
      }),
    );
    expect(r.out).toContain("import rules hold");
  });

  it("flags each kind of violation", () => {
    const r = check(
      tree({
        "packages/a/package.json": pkg("@x/a", ["@x/b"]),
        "packages/a/src/index.ts": 'export * from "./one.js";\n',
        "packages/a/src/one.ts": 'import { two } from "./two.js";\nimport { x } from "../../b/src/index.js";\nexport const one = () => two + x;\n',
        "packages/a/src/two.ts": 'import { one } from "./one.js";\nexport const two = 2; void one;\n',
        "packages/a/src/clock.ts": "export const t = Date.now() + Math.random();\nsetTimeout(() => 0, 1);\n",
        "packages/a/src/sock.ts": 'import dgram from "node:dgram";\nimport { a } from "./index.js";\nimport lodash from "lodash";\nexport { dgram, a, lodash };\n',
        "packages/b/package.json": pkg("@x/b", ["@x/a"]),
        "packages/b/src/index.ts": 'import { one } from "@x/a";\nimport { c } from "@x/c";\nconsole.log(one, c);\nexport const x = 1;\n',
        "packages/c/package.json": pkg("@x/c"),
        "packages/c/src/index.ts": "export const c = 1;\n",
        "packages/c/test/c.test.ts": 'import { one } from "@x/a";\nimport { c } from "@x/c";\nvoid one; void c;\n',
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.out).toContain("leaves @x/a/src");
    expect(r.out).toContain("import cycle");
    expect(r.out).toContain("package dependency cycle");
    expect(r.out).toContain("uses Date.now()");
    expect(r.out).toContain("uses Math.random()");
    expect(r.out).toContain("uses setTimeout");
    expect(r.out).toContain('imports "node:dgram" in a sans-IO core');
    expect(r.out).toContain("its own package's index.ts");
    expect(r.out).toContain('imports "lodash"');
    expect(r.out).toContain('imports "@x/c"');
    expect(r.out).toContain("console output");
    expect(r.out).toContain('c.test.ts: imports "@x/a", which @x/c lists in neither');
    expect(r.out).not.toContain('imports "@x/c", which @x/c');
  });
});
