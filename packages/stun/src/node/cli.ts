/**
 * `stun-server [--port 3478] [--bind ADDR]... [--software TEXT]`: a STUN Binding server on UDP.
 * Without --bind it listens on 0.0.0.0 and :: both. Prints the listening addresses; stops
 * cleanly on SIGINT or SIGTERM.
 */
import { formatAddress } from "@tsrtc/base";
import { startStunServer } from "./server.js";

const USAGE = "usage: stun-server [--port N] [--bind ADDRESS]... [--software TEXT]";

function parseArgs(argv: string[]): { port: number; bind: string[]; software?: string } {
  let port = 3478;
  const bind: string[] = [];
  let software: string | undefined = "tsrtc";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--port": {
        const v = value();
        port = Number(v);
        if (!/^\d+$/.test(v) || port > 65535) throw new Error(`bad port: ${v}`);
        break;
      }
      case "--bind":
        bind.push(...value().split(",").filter((s) => s !== ""));
        break;
      case "--software":
        software = value() || undefined;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument: ${arg}`);
    }
  }
  return { port, bind, software };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const server = await startStunServer({
    port: args.port,
    bind: args.bind.length > 0 ? args.bind : undefined,
    software: args.software,
  });
  for (const a of server.addresses) console.log(`STUN server listening on udp ${formatAddress(a)}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => {
      const s = server.core.stats;
      console.log(`${signal}: stopped after ${s.received} datagrams, ${s.success} Binding responses`);
      process.exit(0);
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error(`stun-server: ${(e as Error).message}`);
  process.exit(1);
});
