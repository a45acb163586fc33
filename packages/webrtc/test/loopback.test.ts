import { afterEach, describe, expect, it } from "vitest";
import type { RTCDataChannel, RTCDataChannelEvent, RTCPeerConnection } from "../src/index.js";
import { closeAll, connect, makePc, once, until } from "./helpers.js";

const open: RTCPeerConnection[] = [];
afterEach(() => closeAll(...open.splice(0)));

function pcs(extra = {}): [RTCPeerConnection, RTCPeerConnection] {
  const a = makePc(extra);
  const b = makePc(extra);
  open.push(a, b);
  return [a, b];
}

describe("RTCPeerConnection over loopback UDP", () => {
  it("opens a channel and exchanges strings and binary both ways", async () => {
    const [a, b] = pcs();
    const states: string[] = [];
    a.onconnectionstatechange = () => states.push(a.connectionState);
    const dc = a.createDataChannel("chat");
    const gotChannel = once<RTCDataChannelEvent>(b, "datachannel");
    const s = await connect(a, b);
    await once(dc, "open");
    const remote: RTCDataChannel = (await gotChannel).channel;
    expect(remote.label).toBe("chat");
    expect(a.connectionState).toBe("connected");
    expect(states).toEqual(["connecting", "connected"]);
    const atB: unknown[] = [];
    const atA: unknown[] = [];
    remote.onmessage = (e) => atB.push(e.data);
    dc.onmessage = (e) => atA.push(e.data);
    dc.send("hello");
    dc.send(new Uint8Array([1, 2, 3]));
    remote.send("world");
    remote.send(new Uint16Array([0x0102]).buffer);
    await until(() => atB.length === 2 && atA.length === 2);
    expect(atB[0]).toBe("hello");
    expect(atB[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(atB[1] as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(atA[0]).toBe("world");
    expect(new Uint16Array(atA[1] as ArrayBuffer)[0]).toBe(0x0102);
    expect(s.errors).toEqual([]);
    a.close();
    expect(a.connectionState).toBe("closed");
    expect(a.signalingState).toBe("closed");
    expect(dc.readyState).toBe("closed");
  });
});
