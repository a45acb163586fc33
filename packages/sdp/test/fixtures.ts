import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repo root is three levels above this folder; the fixtures live beside the repo in shared/. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const FIXTURE_DIR = path.resolve(repoRoot, "../shared/fixtures/sdp");

export interface Fixture {
  file: string;
  text: string;
}

export function fixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".sdp"))
    .sort()
    .map((file) => ({ file, text: readFileSync(path.join(FIXTURE_DIR, file), "utf8") }));
}

export function fixture(file: string): string {
  return readFileSync(path.join(FIXTURE_DIR, file), "utf8");
}

/**
 * An independent, naive reading of a fixture for the tests to compare against: the lines of the
 * session part and of each media section, split by plain string operations.
 */
export function rawSections(text: string): { session: string[]; media: string[][] } {
  const lines = text.split("\r\n").filter((l) => l.length > 0);
  const session: string[] = [];
  const media: string[][] = [];
  for (const l of lines) {
    if (l.startsWith("m=")) media.push([l]);
    else if (media.length > 0) media[media.length - 1].push(l);
    else session.push(l);
  }
  return { session, media };
}

/** Values of `a=<name>:` lines among `lines`. */
export function rawValues(lines: string[], name: string): string[] {
  const prefix = `a=${name}:`;
  return lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}
