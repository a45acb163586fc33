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

/** Channels announced at `pc`, by label. */
function collect(pc: RTCPeerConnection): Map<string, RTCDataChannel> {
  const m = new Map<string, RTCDataChannel>();
  pc.addEventListener("datachannel", (e) => {
    const ch = (e as RTCDataChannelEvent).channel;
    m.set(ch.label, ch);
  });
  return m;
}

describe("RTCPeerConnection over loopback UDP", () => {
  it("opens a channel and exchanges strings and binary both ways; connected then closed", async () => {
    const [a, b] = pcs();
    const states: string[] = [];
    a.onconnectionstatechange = () => states.push(a.connectionState);
    const dc = a.createDataChannel("chat");
    expect(dc.readyState).toBe("connecting");
    expect(dc.id).toBeNull(); // W3C: no id before the DTLS role is known
    const gotChannel = once<RTCDataChannelEvent>(b, "datachannel");
    const s = await connect(a, b);
    await once(dc, "open");
    const remote: RTCDataChannel = (await gotChannel).channel;
    expect(remote.label).toBe("chat");
    expect(remote.readyState).toBe("open");
    expect(dc.id).toBe(remote.id);
    expect(dc.id! % 2).toBe(1); // the offerer is the DTLS server: odd ids (RFC 8832 §6)
    expect(a.connectionState).toBe("connected");
    expect(b.connectionState).toBe("connected");
    expect(states).toEqual(["connecting", "connected"]);
    expect(a.sctp?.state).toBe("connected");
    expect(a.sctp?.transport.state).toBe("connected");
    expect(a.sctp?.transport.iceTransport.getSelectedCandidatePair()?.local.address).toBe("127.0.0.1");
    expect(a.sctp?.transport.iceTransport.role).toBe("controlling");
    expect(b.sctp?.transport.iceTransport.role).toBe("controlled");
    expect(a.sctp?.transport.getRemoteCertificates()[0].byteLength).toBeGreaterThan(100);
    const atB: unknown[] = [];
    const atA: unknown[] = [];
    remote.onmessage = (e) => atB.push(e.data);
    dc.onmessage = (e) => atA.push(e.data);
    dc.send("hello");
    dc.send(new Uint8Array([1, 2, 3]));
    dc.send("");
    dc.send(new Uint8Array(0));
    remote.send("world ✓");
    remote.send(new Uint16Array([0x0102]).buffer);
    remote.send(new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2));
    await until(() => atB.length === 4 && atA.length === 3);
    expect(atB[0]).toBe("hello");
    expect(atB[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(atB[1] as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(atB[2]).toBe("");
    expect((atB[3] as ArrayBuffer).byteLength).toBe(0);
    expect(atA[0]).toBe("world ✓");
    expect(new Uint16Array(atA[1] as ArrayBuffer)[0]).toBe(0x0102);
    expect([...new Uint8Array(atA[2] as ArrayBuffer)]).toEqual([8, 7]);
    expect(s.errors).toEqual([]);
    a.close();
    expect(a.connectionState).toBe("closed");
    expect(a.iceConnectionState).toBe("closed");
    expect(a.signalingState).toBe("closed");
    expect(dc.readyState).toBe("closed");
    // The peer sees its channel close (SCTP ABORT / DTLS close_notify).
    await until(() => remote.readyState === "closed", 10_000, "remote channel closed");
  });

  it("opens ordered, unordered, partially reliable and negotiated channels and keeps their settings", async () => {
    const [a, b] = pcs();
    const announced = collect(b);
    const chans = [
      a.createDataChannel("ordered"),
      a.createDataChannel("unordered", { ordered: false }),
      a.createDataChannel("rexmit", { ordered: false, maxRetransmits: 0 }),
      a.createDataChannel("timed", { maxPacketLifeTime: 500, protocol: "proto-x" }),
    ];
    const negA = a.createDataChannel("neg", { negotiated: true, id: 42 });
    const negB = b.createDataChannel("neg", { negotiated: true, id: 42 });
    expect(negA.id).toBe(42);
    await connect(a, b);
    await Promise.all([...chans, negA, negB].map((c) => (c.readyState === "open" ? undefined : once(c, "open"))));
    await until(() => announced.size === 4);
    expect(announced.has("neg")).toBe(false);
    const u = announced.get("unordered")!;
    expect(u.ordered).toBe(false);
    expect(u.maxRetransmits).toBeNull();
    const r = announced.get("rexmit")!;
    expect(r.maxRetransmits).toBe(0);
    expect(r.ordered).toBe(false);
    const t = announced.get("timed")!;
    expect(t.maxPacketLifeTime).toBe(500);
    expect(t.protocol).toBe("proto-x");
    expect(t.negotiated).toBe(false);
    expect(negB.negotiated).toBe(true);
    const ids = new Set([...chans, negA].map((c) => c.id));
    expect(ids.size).toBe(5);
    // Each channel carries its own messages, both ways.
    const got = new Map<string, unknown[]>();
    const listen = (c: RTCDataChannel, key: string) => {
      got.set(key, []);
      c.onmessage = (e) => got.get(key)!.push(e.data);
    };
    for (const [label, ch] of announced) listen(ch, `b:${label}`);
    listen(negB, "b:neg");
    for (const c of chans) listen(c, `a:${c.label}`);
    listen(negA, "a:neg");
    for (const c of [...chans, negA]) c.send(`to b on ${c.label}`);
    for (const c of [...announced.values(), negB]) c.send(`to a on ${c.label}`);
    await until(() => [...got.values()].every((l) => l.length === 1));
    for (const [key, l] of got) {
      const [side, label] = key.split(":");
      expect(l[0]).toBe(`to ${side} on ${label}`);
    }
  });

  it("delivers 10 000 small messages in order", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("bulk");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    const got: string[] = [];
    remote.onmessage = (e) => got.push(e.data as string);
    for (let i = 0; i < 10_000; i++) dc.send(`#${i}`);
    expect(dc.bufferedAmount).toBeGreaterThan(0);
    await until(() => got.length === 10_000, 30_000, "10 000 messages");
    for (let i = 0; i < 10_000; i++) if (got[i] !== `#${i}`) throw new Error(`message ${i} is ${got[i]}`);
    await until(() => dc.bufferedAmount === 0);
    const stats = await a.getStats();
    const dcStats = [...stats.values()].find((s) => s.type === "data-channel" && s.label === "bulk")!;
    expect(dcStats.messagesSent).toBe(10_000);
  });

  it("carries a 4 MiB message both ways when both advertise a large max-message-size", async () => {
    const big = { tsrtc: { maxMessageSize: 8 * 1024 * 1024 } };
    const [a, b] = pcs(big);
    const dc = a.createDataChannel("big");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    expect(a.sctp!.maxMessageSize).toBe(8 * 1024 * 1024);
    const payload = new Uint8Array(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
    const atB: ArrayBuffer[] = [];
    const atA: ArrayBuffer[] = [];
    remote.onmessage = (e) => atB.push(e.data as ArrayBuffer);
    dc.onmessage = (e) => atA.push(e.data as ArrayBuffer);
    dc.send(payload);
    remote.send(payload);
    await until(() => atB.length === 1 && atA.length === 1, 60_000, "4 MiB both ways");
    for (const got of [atA[0], atB[0]]) {
      expect(got.byteLength).toBe(payload.length);
      expect(Buffer.compare(Buffer.from(got), Buffer.from(payload))).toBe(0);
    }
  });

  it("each received binary message is an ArrayBuffer of exactly its bytes, small or reassembled, and owned by the receiver", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("own");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    const got: ArrayBuffer[] = [];
    remote.onmessage = (e) => got.push(e.data as ArrayBuffer);
    const sizes = [1, 700, 5000, 100_000, 3];
    const sent = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k) & 0xff));
    for (const m of sent) dc.send(m);
    await until(() => got.length === sizes.length, 20_000, "all messages");
    got.forEach((buf, k) => {
      // Not a view into a shared record buffer: exactly the message, nothing around it.
      expect(buf.byteLength).toBe(sizes[k]);
      expect(Buffer.compare(Buffer.from(buf), Buffer.from(sent[k]))).toBe(0);
    });
    // The buffers are the receiver's own: writing into one changes no other message.
    new Uint8Array(got[3]).fill(0);
    expect(Buffer.compare(Buffer.from(got[4]), Buffer.from(sent[4]))).toBe(0);
    expect(new Set(got).size).toBe(got.length);
  });

  it("refuses a message above the peer's max-message-size with TypeError, yet accepts larger incoming ones", async () => {
    const a = makePc({ tsrtc: { maxMessageSize: 1 << 20 } });
    const b = makePc(); // advertises 262144
    open.push(a, b);
    const dc = a.createDataChannel("mms");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    expect(a.sctp!.maxMessageSize).toBe(262144);
    expect(b.sctp!.maxMessageSize).toBe(1 << 20);
    expect(() => dc.send(new Uint8Array(262145))).toThrow(TypeError);
    const got: ArrayBuffer[] = [];
    dc.onmessage = (e) => got.push(e.data as ArrayBuffer);
    remote.send(new Uint8Array(1 << 20)); // b may: a advertised 1 MiB
    await until(() => got.length === 1, 30_000);
    expect(got[0].byteLength).toBe(1 << 20);
  });

  it("tsrtc.remoteMaxMessageSize overrides the peer's advertised limit (for peers that accept more)", async () => {
    const a = makePc({ tsrtc: { remoteMaxMessageSize: 1 << 20 } });
    const b = makePc(); // advertises 262144, reassembles up to 4 MiB
    open.push(a, b);
    const dc = a.createDataChannel("override");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    expect(a.remoteDescription!.sdp).toContain("a=max-message-size:262144");
    expect(a.sctp!.maxMessageSize).toBe(1 << 20);
    expect(() => dc.send(new Uint8Array((1 << 20) + 1))).toThrow(TypeError);
    const got: ArrayBuffer[] = [];
    remote.onmessage = (e) => got.push(e.data as ArrayBuffer);
    const payload = new Uint8Array(1 << 20).map((_, i) => i % 251);
    dc.send(payload);
    await until(() => got.length === 1, 30_000);
    expect(Buffer.compare(Buffer.from(got[0]), Buffer.from(payload))).toBe(0);
    expect(() => makePc({ tsrtc: { remoteMaxMessageSize: -1 } })).toThrow(TypeError);
  });

  it("closes a channel from either side: closing then close on both, the connection stays up", async () => {
    const [a, b] = pcs();
    const x = a.createDataChannel("x");
    const y = a.createDataChannel("y");
    const announced = collect(b);
    await connect(a, b);
    await Promise.all([once(x, "open"), once(y, "open")]);
    await until(() => announced.size === 2);
    const bx = announced.get("x")!;
    const by = announced.get("y")!;
    const events: string[] = [];
    for (const [name, c] of [["ax", x], ["bx", bx], ["ay", y], ["by", by]] as const) {
      c.onclosing = () => events.push(`${name}:closing`);
      c.onclose = () => events.push(`${name}:close`);
    }
    x.close(); // from the opener's side
    expect(x.readyState).toBe("closing");
    await until(() => x.readyState === "closed" && bx.readyState === "closed");
    by.close(); // from the other side
    await until(() => y.readyState === "closed" && by.readyState === "closed");
    expect(events).not.toContain("ax:closing"); // close() itself: no closing event (W3C §6.2)
    expect(events).toContain("ax:close");
    expect(events).toContain("bx:closing");
    expect(events).toContain("bx:close");
    expect(events).not.toContain("by:closing");
    expect(events).toContain("ay:closing");
    expect(events).toContain("ay:close");
    expect(events.filter((e) => e === "ax:close").length).toBe(1);
    expect(a.connectionState).toBe("connected");
    // A new channel still opens on the same association.
    const z = a.createDataChannel("z");
    await once(z, "open");
    expect(() => x.send("late")).toThrow(expect.objectContaining({ name: "InvalidStateError" }));
  });

  it("supports binaryType blob, send(Blob) in order, bufferedAmount and bufferedamountlow", async () => {
    const [a, b] = pcs();
    const dc = a.createDataChannel("blob");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dc, "open");
    const remote = (await ch).channel;
    expect(remote.binaryType).toBe("arraybuffer");
    remote.binaryType = "blob";
    remote.binaryType = "bogus" as "blob";
    expect(remote.binaryType).toBe("blob");
    const got: unknown[] = [];
    remote.onmessage = (e) => got.push(e.data);
    dc.send(new Blob([new Uint8Array([5, 6, 7])]));
    dc.send("after the blob");
    await until(() => got.length === 2);
    expect(got[0]).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (got[0] as Blob).arrayBuffer())]).toEqual([5, 6, 7]);
    expect(got[1]).toBe("after the blob");
    dc.bufferedAmountLowThreshold = 1000;
    expect(dc.bufferedAmountLowThreshold).toBe(1000);
    const low = once(dc, "bufferedamountlow");
    for (let i = 0; i < 200; i++) dc.send(new Uint8Array(1000));
    expect(dc.bufferedAmount).toBeGreaterThan(1000);
    await low;
    expect(dc.bufferedAmount).toBeLessThanOrEqual(1000);
  });
  it("keeps consent (RFC 7675) while channels stream flat out both ways: checks still go out, ICE stays connected", async () => {
    // Consent every ~300 ms, "disconnected" after 1.5 s without an answer: a saturated channel
    // used to queue so much data ahead of the checks that none left, and ICE disconnected.
    const [a, b] = pcs({ tsrtc: { ice: { consentInterval: 300, disconnectedTimeout: 1500 } } });
    const changes: string[] = [];
    for (const pc of [a, b]) pc.oniceconnectionstatechange = () => changes.push(pc.iceConnectionState);
    const dcA = a.createDataChannel("flat-out");
    const ch = once<RTCDataChannelEvent>(b, "datachannel");
    await connect(a, b);
    await once(dcA, "open");
    const dcB = (await ch).channel;
    changes.length = 0;
    const stunBefore = (await a.getStats()).get("T01")!.tsrtcStunSent as number;
    let stop = false;
    const got = { a: 0, b: 0 };
    dcA.onmessage = () => got.a++;
    dcB.onmessage = () => got.b++;
    for (const dc of [dcA, dcB]) {
      dc.bufferedAmountLowThreshold = 256 * 1024;
      const fill = () => {
        while (!stop && dc.readyState === "open" && dc.bufferedAmount < 1024 * 1024) dc.send(new Uint8Array(1200));
      };
      dc.onbufferedamountlow = fill;
      fill();
    }
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    const stunAfter = (await a.getStats()).get("T01")!.tsrtcStunSent as number;
    expect(got.a).toBeGreaterThan(100);
    expect(got.b).toBeGreaterThan(100);
    expect(stunAfter - stunBefore).toBeGreaterThanOrEqual(4); // ~10 due in 3 s
    expect(changes).toEqual([]);
    expect(a.iceConnectionState).toMatch(/^(connected|completed)$/);
  }, 20_000);
});
