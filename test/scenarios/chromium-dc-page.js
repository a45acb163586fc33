// Browser side of chromium-datachannel.ts: a data-channel peer that the Node scenario drives
// through page.evaluate (Node -> page) and the exposed function `toNode` (page -> Node).
// Plain JavaScript served to the page: the repository's type check has no DOM library.
"use strict";

// The same binary pattern and message descriptions as the Node side (chromium-datachannel.ts).
function pattern(len) {
  const b = new Uint8Array(len);
  const seed = len & 255;
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

function describeMessage(data) {
  if (typeof data === "string") return data.length <= 64 ? "s:" + data : "S:" + data.length + ":" + fnv(data);
  const b = new Uint8Array(data);
  const seed = b.length & 255;
  for (let i = 0; i < b.length; i++) if (b[i] !== ((i * 31 + seed) & 255)) return "b:" + b.length + ":bad@" + i;
  return "b:" + b.length + ":ok";
}

function makeText(spec) {
  // "T<n>": n UTF-16 units of a multi-byte mix (what Node builds the same way).
  const n = Number(spec.slice(1));
  const unit = "é✓a€";
  let s = "";
  while (s.length < n) s += unit;
  return s.slice(0, n);
}

const T = {
  pc: null,
  channels: {},
  received: {},
  closed: {},
  errors: [],
  candidates: [],
  remoteSet: null,
  resolveRemoteSet: null,

  init(trickle) {
    const pc = new RTCPeerConnection();
    T.pc = pc;
    T.remoteSet = new Promise((r) => (T.resolveRemoteSet = r));
    pc.onicecandidate = (e) => {
      if (e.candidate) T.candidates.push(e.candidate.candidate);
      if (trickle) window.toNode(JSON.stringify({ candidate: e.candidate ? e.candidate.toJSON() : null }));
    };
    pc.ondatachannel = (e) => T.track(e.channel);
    return pc;
  },

  track(ch) {
    T.channels[ch.label] = ch;
    T.received[ch.label] = [];
    ch.binaryType = "arraybuffer";
    ch.onmessage = (m) => T.received[ch.label].push(describeMessage(m.data));
    ch.onclose = () => (T.closed[ch.label] = true);
    ch.onerror = (e) => T.errors.push(ch.label + ": " + (e.error ? e.error.message : "error"));
  },

  async gathered() {
    const pc = T.pc;
    if (pc.iceGatheringState === "complete") return;
    await new Promise((r) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
  },

  async offer(trickle, labels) {
    const pc = T.init(trickle);
    for (const l of labels) T.track(pc.createDataChannel(l.label, { protocol: l.protocol }));
    await pc.setLocalDescription();
    if (!trickle) await T.gathered();
    return pc.localDescription.sdp;
  },

  async answer(offer, trickle) {
    const pc = T.init(trickle);
    await pc.setRemoteDescription({ type: "offer", sdp: offer });
    T.resolveRemoteSet();
    await pc.setLocalDescription();
    if (!trickle) await T.gathered();
    return pc.localDescription.sdp;
  },

  async setAnswer(sdp) {
    await T.pc.setRemoteDescription({ type: "answer", sdp });
    T.resolveRemoteSet();
  },

  // ICE restart: Node's new offer (answered here), or our own restart (a new offer for Node).
  async reoffer(sdp) {
    T.remoteSet = new Promise((r) => (T.resolveRemoteSet = r));
    await T.pc.setRemoteDescription({ type: "offer", sdp });
    T.resolveRemoteSet();
    await T.pc.setLocalDescription();
    return T.pc.localDescription.sdp;
  },

  async restart() {
    T.remoteSet = new Promise((r) => (T.resolveRemoteSet = r));
    T.pc.restartIce();
    await T.pc.setLocalDescription();
    return T.pc.localDescription.sdp;
  },

  async addCandidate(c) {
    await T.remoteSet;
    await T.pc.addIceCandidate(c === null ? undefined : c);
  },

  async waitFor(cond, ms, what) {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("page: timeout waiting for " + what);
      await new Promise((r) => setTimeout(r, 10));
    }
  },

  openLabels() {
    return Object.keys(T.channels).filter((l) => T.channels[l].readyState === "open").sort();
  },

  channelInfo() {
    return Object.values(T.channels).map((c) => ({
      label: c.label,
      protocol: c.protocol,
      id: c.id,
      ordered: c.ordered,
      maxRetransmits: c.maxRetransmits,
      maxPacketLifeTime: c.maxPacketLifeTime,
      negotiated: c.negotiated,
    }));
  },

  // A channel created once the connection is up (in-band DCEP, or negotiated out of band).
  create(label, init) {
    T.track(T.pc.createDataChannel(label, init));
  },

  // Send [label, kind, value] items: kind "s" a string, "t" a generated text ("T<n>"), "b" a
  // pattern of value bytes. A send that throws is recorded as "<label>:<error name>".
  sendPlan(plan) {
    const out = [];
    for (const [label, kind, value] of plan) {
      try {
        T.channels[label].send(kind === "s" ? value : kind === "t" ? makeText(value) : pattern(value));
      } catch (e) {
        out.push(label + ":" + e.name);
      }
    }
    return out;
  },

  counts() {
    const o = {};
    for (const l of Object.keys(T.received)) o[l] = T.received[l].length;
    return o;
  },

  async stats() {
    const r = await T.pc.getStats();
    let t;
    r.forEach((v) => {
      if (v.type === "transport") t = v;
    });
    if (!t || !t.selectedCandidatePairId) return { error: "no selected pair" };
    const pair = r.get(t.selectedCandidatePairId);
    const l = r.get(pair.localCandidateId);
    const rc = r.get(pair.remoteCandidateId);
    const cert = r.get(t.localCertificateId);
    const rcert = t.remoteCertificateId ? r.get(t.remoteCertificateId) : undefined;
    const cand = (c) => ({ address: c.address, port: c.port, candidateType: c.candidateType, protocol: c.protocol });
    return {
      local: cand(l),
      remote: cand(rc),
      pairState: pair.state,
      dtlsCipher: t.dtlsCipher,
      tlsVersion: t.tlsVersion,
      dtlsRole: t.dtlsRole,
      iceRole: t.iceRole,
      localFingerprint: cert && cert.fingerprint,
      remoteFingerprint: rcert && rcert.fingerprint,
    };
  },
};
window.T = T;
