/** Shared test helpers: certificates made once per file, and a tiny in-memory pump. */
import { SeededRandom } from "@tsrtc/base";
import { DtlsEndpoint, fingerprint, generateCertificate, type DtlsCertificate, type DtlsEndpointOptions, type DtlsEvent } from "../src/index.js";

export function makeCert(seed: number, keyType: "ecdsa-p256" | "rsa-2048" = "ecdsa-p256"): DtlsCertificate {
  return generateCertificate({ rng: new SeededRandom(seed), notBefore: Date.UTC(2026, 0, 1), keyType });
}

export interface Pair {
  client: DtlsEndpoint;
  server: DtlsEndpoint;
  clientEvents: DtlsEvent[];
  serverEvents: DtlsEvent[];
}

export function makePair(
  clientCert: DtlsCertificate,
  serverCert: DtlsCertificate,
  extra: { client?: Partial<DtlsEndpointOptions>; server?: Partial<DtlsEndpointOptions> } = {},
  seed = 1,
): Pair {
  const client = new DtlsEndpoint({
    role: "client",
    certificate: clientCert,
    remoteFingerprints: [fingerprint(serverCert.der)],
    rng: new SeededRandom(seed),
    ...extra.client,
  });
  const server = new DtlsEndpoint({
    role: "server",
    certificate: serverCert,
    remoteFingerprints: [fingerprint(clientCert.der)],
    rng: new SeededRandom(seed + 1000),
    ...extra.server,
  });
  return { client, server, clientEvents: [], serverEvents: [] };
}

export function drainEvents(p: Pair): void {
  let e: DtlsEvent | undefined;
  while ((e = p.client.pollEvent())) p.clientEvents.push(e);
  while ((e = p.server.pollEvent())) p.serverEvents.push(e);
}

/**
 * Deliver everything both ways until quiet, with an optional filter deciding per datagram
 * whether it is delivered. Returns the number of datagrams exchanged.
 */
export function pump(p: Pair, now: number, deliver: (from: "client" | "server", d: Uint8Array) => boolean = () => true): number {
  let n = 0;
  for (let round = 0; round < 1000; round++) {
    let moved = false;
    let d: Uint8Array | undefined;
    while ((d = p.client.pollTransmit())) {
      n++;
      moved = true;
      if (deliver("client", d)) p.server.handlePacket(d, now);
    }
    while ((d = p.server.pollTransmit())) {
      n++;
      moved = true;
      if (deliver("server", d)) p.client.handlePacket(d, now);
    }
    drainEvents(p);
    if (!moved) return n;
  }
  throw new Error("pump did not settle");
}

export function connect(p: Pair, now = 0): void {
  p.client.start(now);
  pump(p, now);
}
