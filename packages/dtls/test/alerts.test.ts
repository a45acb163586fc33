/** Alerts (RFC 5246 §7.2): warnings ignored, close_notify answered, renegotiation refused. */
import { describe, expect, it } from "vitest";
import { ContentType, HandshakeType } from "../src/constants.js";
import { encodeWholeMessage } from "../src/handshake/header.js";
import type { RecordLayer } from "../src/record/layer.js";
import type { DtlsEvent } from "../src/index.js";
import { connect, makeCert, makePair, pump } from "./helpers.js";

const ecA = makeCert(31);
const ecB = makeCert(32);
const layerOf = (ep: unknown) => (ep as { layer: RecordLayer }).layer;
const drain = (ep: { pollEvent(): DtlsEvent | undefined }) => {
  const out: DtlsEvent[] = [];
  let e;
  while ((e = ep.pollEvent())) out.push(e);
  return out;
};

describe("alerts", () => {
  it("ignores a protected warning alert (other than close_notify) and counts it", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    p.server.handlePacket(layerOf(p.client).seal(ContentType.alert, 1, Uint8Array.of(1, 90)), 1); // warning user_canceled
    expect(drain(p.server)).toEqual([{ type: "alert", direction: "received", level: "warning", description: 90, name: "userCanceled" }]);
    expect(p.server.state).toBe("connected");
    expect(p.server.stats.alertsReceived).toBe(1);
  });

  it("a protected fatal alert closes; a plaintext one after the handshake is dropped as unauthenticated", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    p.server.handlePacket(Uint8Array.of(21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 99, 0, 2, 2, 40), 1);
    expect(p.server.state).toBe("connected");
    expect(p.server.stats.dropped.unexpected).toBe(1);
    p.server.handlePacket(layerOf(p.client).seal(ContentType.alert, 1, Uint8Array.of(2, 40)), 1);
    expect(p.server.state).toBe("closed");
    expect(drain(p.server).at(-1)).toEqual({ type: "closed", reason: "fatal_alert_received" });
  });

  it("close_notify from the server is answered and both sides close", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    p.server.close();
    pump(p, 1);
    expect(p.clientEvents.at(-1)).toEqual({ type: "closed", reason: "close_notify" });
    expect(p.client.stats.alertsSent).toBe(1); // its own close_notify in reply
    expect(() => p.client.send(new Uint8Array(1))).toThrow(/InvalidStateError/);
  });

  it("refuses renegotiation with a no_renegotiation warning and stays up", () => {
    const p = makePair(ecA, ecB);
    connect(p);
    const hello = encodeWholeMessage(HandshakeType.clientHello, 6, new Uint8Array(40));
    p.server.handlePacket(layerOf(p.client).seal(ContentType.handshake, 1, hello), 1);
    const ev = drain(p.server);
    expect(ev).toContainEqual({ type: "alert", direction: "sent", level: "warning", description: 100, name: "noRenegotiation" });
    expect(p.server.state).toBe("connected");
    const hr = encodeWholeMessage(HandshakeType.helloRequest, 7, new Uint8Array(0)); // the server sent 0..6
    p.client.handlePacket(layerOf(p.server).seal(ContentType.handshake, 1, hr), 1);
    expect(drain(p.client)).toContainEqual({ type: "alert", direction: "sent", level: "warning", description: 100, name: "noRenegotiation" });
    expect(p.client.state).toBe("connected");
  });

  it("programmer misuse throws: send before connected, oversize records, missing verification", () => {
    const p = makePair(ecA, ecB);
    expect(() => p.client.send(new Uint8Array(1))).toThrow(/InvalidStateError/);
    connect(p);
    expect(() => p.client.send(new Uint8Array(16385))).toThrow(RangeError);
    expect(() => p.client.exportKeyingMaterial("client finished", undefined, 10)).toThrow();
    expect(() => makePair(ecA, ecB, { client: { remoteFingerprints: undefined } })).toThrow(/remoteFingerprints/);
    expect(() => makePair(ecA, ecB, { client: { mtu: 50 } })).toThrow(RangeError);
  });
});
