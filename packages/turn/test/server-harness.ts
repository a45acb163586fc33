/**
 * Test helper for the TurnServer core: a server whose relayed addresses are virtual ports of
 * RELAY_HOST, and hand-built requests (signed with the long-term key) to poke each rule.
 */
import { type Address, type IpFamily, type Millis, SeededRandom } from "@tsrtc/base";
import { type StunBuilder, StunBuilder as Builder, StunClass, StunMessage, StunMethod, TransportProtocol, longTermKey } from "@tsrtc/stun";
import { TurnServer, type TurnServerOptions, type TurnServerTransmit } from "../src/index.js";

export const LISTEN: Address = { family: 4, host: "192.0.2.1", port: 3478 };
export const RELAY_HOST = "192.0.2.1";
export const CLIENT: Address = { family: 4, host: "198.51.100.1", port: 5000 };
export const PEER: Address = { family: 4, host: "203.0.113.7", port: 6000 };
export const REALM = "tsrtc.test";

export function makeServer(opts: Partial<TurnServerOptions> = {}): TurnServer {
  let port = 50000;

  const server = new TurnServer({
    listening: LISTEN,
    realm: REALM,
    users: { user: "pass", other: "word" },
    rng: new SeededRandom(5),
    allocateRelay: (family: IpFamily) => (family === 4 ? { family: 4, host: RELAY_HOST, port: port++ } : { family: 6, host: "2001:db8::1", port: port++ }),
    ...opts,
  });
  return server;
}

export function drain(server: TurnServer): TurnServerTransmit[] {
  const out: TurnServerTransmit[] = [];
  for (let t = server.pollTransmit(); t; t = server.pollTransmit()) out.push(t);
  return out;
}

let txCounter = 0;
export function txid(): Uint8Array {
  const id = new Uint8Array(12);
  id[0] = 0x77;
  new DataView(id.buffer).setUint32(8, ++txCounter);
  return id;
}

export interface Creds {
  username: string;
  password: string;
  nonce: string;
  realm?: string;
}

/** Build a request: `attrs` adds the method's attributes; signed with `creds` unless omitted. */
export function request(method: number, attrs: (b: StunBuilder) => void = () => {}, creds?: Creds, id = txid()): Uint8Array {
  const b = new Builder().begin(method, StunClass.Request, id);
  attrs(b);
  if (creds) {
    const realm = creds.realm ?? REALM;
    b.username(creds.username).realm(realm).nonce(creds.nonce).messageIntegrity(longTermKey(creds.username, realm, creds.password));
  }
  return b.fingerprint().finish();
}

/** Send one datagram from `from`; return the one answer to `from`, decoded (throws if none). */
export function ask(server: TurnServer, data: Uint8Array, now: Millis, from: Address = CLIENT): StunMessage {
  server.handlePacket(data, from, now);
  const out = drain(server).filter((t) => t.to.host === from.host && t.to.port === from.port);
  if (out.length !== 1) throw new Error(`expected one answer, got ${out.length}`);
  return StunMessage.decode(out[0].data);
}

export function codeOf(m: StunMessage): number {
  return m.cls === StunClass.SuccessResponse ? 0 : (m.errorCode()?.code ?? -1);
}

/** Get a nonce from the 401 challenge. */
export function nonceFrom(server: TurnServer, now: Millis, from: Address = CLIENT): string {
  const m = ask(server, request(StunMethod.Allocate, (b) => b.requestedTransport(TransportProtocol.UDP)), now, from);
  return m.nonce()!;
}

/** Allocate for `username` from `from`; returns the credentials used and the relayed address. */
export function allocate(server: TurnServer, now: Millis, from: Address = CLIENT, username = "user", password = "pass"): { creds: Creds; relayed: Address } {
  const creds: Creds = { username, password, nonce: nonceFrom(server, now, from) };
  const m = ask(server, request(StunMethod.Allocate, (b) => b.requestedTransport(TransportProtocol.UDP), creds), now, from);
  if (codeOf(m) !== 0) throw new Error(`Allocate failed: ${codeOf(m)}`);
  return { creds, relayed: m.xorRelayedAddress()! };
}
