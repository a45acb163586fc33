/**
 * Run a scenario script inside a fresh network namespace and collect its result: the script
 * prints one line `RESULT <json>` on stdout. Used by the browser interop tests, which cannot
 * enter a namespace from inside the vitest worker.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createNetns } from "./netns.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function runInNetns<T>(script: string, args: string[] = [], timeoutMs = 60_000): Promise<T> {
  const ns = createNetns();
  try {
    const child = ns.spawn(
      process.execPath,
      ["--conditions=@tsrtc/source", "--import", "tsx", script, ...args],
      { cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } },
    );
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((res) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
      }, timeoutMs);
      child.on("exit", (c) => {
        clearTimeout(timer);
        res(c);
      });
    });
    const line = out.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`scenario ${script} exited ${code} without a RESULT line\nstdout:\n${out}\nstderr:\n${err}`);
    return JSON.parse(line.slice(7)) as T;
  } finally {
    ns.destroy();
  }
}

export const scenarioPath = (name: string): string => join(repo, "test/scenarios", name);
