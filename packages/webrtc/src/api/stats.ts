/**
 * getStats (W3C webrtc-stats): an RTCStatsReport (a Map from id to stats object) with the
 * peer-connection, transport, candidate-pair, local-candidate, remote-candidate, certificate and
 * data-channel reports, W3C field names, real counters. tsrtc adds `tsrtc*` fields on the
 * transport: datagrams dropped by reason, across the engine and each protocol core.
 */
import type { Address } from "@tsrtc/base";
import { fingerprint } from "@tsrtc/dtls";
import type { Candidate } from "@tsrtc/ice";
import type { ChannelRecord } from "../engine/channels.js";
import type { PeerEngine } from "../engine/engine.js";
import { statsTimestamp } from "../io/clock.js";

export type RTCStats = { id: string; type: string; timestamp: number } & Record<string, unknown>;

export class RTCStatsReport extends Map<string, RTCStats> {}

const TRANSPORT_ID = "T01";

function candidateId(prefix: "I" | "R", c: Candidate): string {
  return `${prefix}${c.type}-${c.address}-${c.port}-${c.transport.toLowerCase()}`;
}

function certificateId(der: Uint8Array): string {
  return `CF${fingerprint(der, "sha-256").value}`;
}

function base64(der: Uint8Array): string {
  return Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
}

function candidateStats(
  type: "local-candidate" | "remote-candidate",
  id: string,
  c: Candidate,
  timestamp: number,
  url?: string,
  relayProtocol?: "udp" | "tcp" | "tls",
): RTCStats {
  const s: RTCStats = {
    id,
    type,
    timestamp,
    transportId: TRANSPORT_ID,
    address: c.address,
    port: c.port,
    protocol: c.transport.toLowerCase(),
    candidateType: c.type,
    priority: c.priority,
    foundation: c.foundation,
  };
  if (c.ufrag !== undefined) s.usernameFragment = c.ufrag;
  if (c.relatedAddress !== undefined) s.relatedAddress = c.relatedAddress;
  if (c.relatedPort !== undefined) s.relatedPort = c.relatedPort;
  if (c.tcpType !== undefined) s.tcpType = c.tcpType;
  if (type === "local-candidate") {
    // W3C webrtc-stats RTCIceCandidateStats: the ICE server a srflx or relay candidate came
    // from, and the protocol to the TURN server for relay candidates.
    if (url !== undefined) s.url = url;
    if (c.type === "relay") s.relayProtocol = relayProtocol ?? "udp";
  }
  return s;
}

export function buildStatsReport(engine: PeerEngine, selectedPairChanges: number): RTCStatsReport {
  const report = new RTCStatsReport();
  const timestamp = statsTimestamp();
  const add = (s: RTCStats) => report.set(s.id, s);
  const ch = engine.channels;
  add({ id: "P", type: "peer-connection", timestamp, dataChannelsOpened: ch.stats.channelsOpened, dataChannelsClosed: ch.stats.channelsClosed });

  const agent = engine.iceAgent;
  const dtls = engine.dtlsEndpoint;
  const sctp = engine.sctpAssociation;
  const c = engine.counters;
  let selectedPairId: string | undefined;
  if (agent) {
    const local = (id: string, l: Candidate): RTCStats =>
      candidateStats("local-candidate", id, l, timestamp, agent.localCandidateUrl(l), agent.localCandidateRelayProtocol(l));
    for (const l of agent.localCandidates) add(local(candidateId("I", l), l));
    for (const r of agent.remoteCandidates) add(candidateStats("remote-candidate", candidateId("R", r), r, timestamp));
    const sel = agent.selectedPair;
    for (const p of agent.pairs) {
      const lid = candidateId("I", p.local.candidate);
      const rid = candidateId("R", p.remote.candidate);
      const id = `CP${lid}_${rid}`;
      const selected = sel !== undefined && sel.local === p.local.candidate && sel.remote === p.remote.candidate;
      if (selected) selectedPairId = id;
      if (!report.has(lid)) add(local(lid, p.local.candidate));
      if (!report.has(rid)) add(candidateStats("remote-candidate", rid, p.remote.candidate, timestamp));
      add({
        id,
        type: "candidate-pair",
        timestamp,
        transportId: TRANSPORT_ID,
        localCandidateId: lid,
        remoteCandidateId: rid,
        state: p.state,
        nominated: p.nominated,
        priority: Number(p.priority),
        ...rttFields(engine, p.local.base, p.remote.address),
        packetsSent: selected ? c.packetsSent : 0,
        packetsReceived: selected ? c.packetsReceived : 0,
        bytesSent: selected ? c.bytesSent : 0,
        bytesReceived: selected ? c.bytesReceived : 0,
      });
    }
  }

  const localCert = engine.certificate.der;
  const localCertId = certificateId(localCert);
  const f = fingerprint(localCert, "sha-256");
  add({ id: localCertId, type: "certificate", timestamp, fingerprint: f.value, fingerprintAlgorithm: f.algorithm, base64Certificate: base64(localCert) });
  let remoteCertId: string | undefined;
  const remoteCert = engine.remoteCertificate;
  if (remoteCert) {
    remoteCertId = certificateId(remoteCert);
    const rf = fingerprint(remoteCert, "sha-256");
    add({ id: remoteCertId, type: "certificate", timestamp, fingerprint: rf.value, fingerprintAlgorithm: rf.algorithm, base64Certificate: base64(remoteCert) });
  }

  const transport: RTCStats = {
    id: TRANSPORT_ID,
    type: "transport",
    timestamp,
    bytesSent: c.bytesSent,
    bytesReceived: c.bytesReceived,
    packetsSent: c.packetsSent,
    packetsReceived: c.packetsReceived,
    iceRole: agent ? (agent.controlling ? "controlling" : "controlled") : "unknown",
    iceState: engine.iceConnectionState,
    dtlsState: engine.dtlsState,
    dtlsRole: dtls ? dtls.role : "unknown",
    selectedCandidatePairChanges: selectedPairChanges,
    localCertificateId: localCertId,
    tsrtcDatagramsSent: c.datagramsSent,
    tsrtcDatagramsReceived: c.datagramsReceived,
    tsrtcStunSent: c.stunSent,
    tsrtcStunReceived: c.stunReceived,
    tsrtcDropped: droppedByReason(engine),
  };
  if (agent) transport.iceLocalUsernameFragment = agent.localCredentials.ufrag;
  if (selectedPairId) transport.selectedCandidatePairId = selectedPairId;
  if (remoteCertId) transport.remoteCertificateId = remoteCertId;
  if (engine.dtlsState === "connected" || engine.dtlsCipher) {
    transport.tlsVersion = "FEFD"; // DTLS 1.2, written as browsers write it
    transport.dtlsCipher = engine.dtlsCipher;
    if (engine.srtpCipher) transport.srtpCipher = engine.srtpCipher;
  }
  if (sctp) transport.tsrtcSctpPacketsSent = sctp.stats.packetsSent;
  add(transport);

  for (const rec of [...ch.all(), ...closedChannels(engine)]) {
    add({
      id: `D${rec.statsId}`,
      type: "data-channel",
      timestamp,
      label: rec.label,
      protocol: rec.protocol,
      dataChannelIdentifier: rec.id ?? undefined,
      state: rec.state,
      messagesSent: rec.messagesSent,
      bytesSent: rec.bytesSent,
      messagesReceived: rec.messagesReceived,
      bytesReceived: rec.bytesReceived,
    });
  }
  return report;
}

const MAX_REMEMBERED = 1024;

function rttFields(engine: PeerEngine, local: Address, remote: Address): Record<string, number> {
  const r = engine.rtt.of(local, remote);
  if (!r) return { requestsSent: 0, responsesReceived: 0, totalRoundTripTime: 0 };
  const out: Record<string, number> = { requestsSent: r.requestsSent, responsesReceived: r.responsesReceived, totalRoundTripTime: r.totalRoundTripTime };
  if (r.currentRoundTripTime !== undefined) out.currentRoundTripTime = r.currentRoundTripTime;
  return out;
}

/** Channels the API still holds after they closed (W3C keeps reporting them). */
const closedRegistry = new WeakMap<PeerEngine, Set<ChannelRecord>>();

export function rememberChannel(engine: PeerEngine, rec: ChannelRecord): void {
  let s = closedRegistry.get(engine);
  if (!s) closedRegistry.set(engine, (s = new Set()));
  s.add(rec);
  // Keep the reports of the most recent channels only (a long-lived connection may open many).
  if (s.size > MAX_REMEMBERED) {
    for (const r of s) {
      if (r.state !== "closed") continue;
      s.delete(r);
      if (s.size <= MAX_REMEMBERED) break;
    }
  }
}

function closedChannels(engine: PeerEngine): ChannelRecord[] {
  const s = closedRegistry.get(engine);
  if (!s) return [];
  const live = new Set(engine.channels.all());
  return [...s].filter((r) => !live.has(r));
}

/** Every datagram or record dropped anywhere in the stack, by reason (hostile-traffic counters). */
export function droppedByReason(engine: PeerEngine): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (prefix: string, o: object) => {
    for (const [k, v] of Object.entries(o)) if (typeof v === "number") out[`${prefix}${k}`] = v;
  };
  put("engine.", engine.counters.dropped);
  const ice = engine.iceAgent?.stats;
  if (ice) {
    // Every dropped* counter of the agent: droppedMalformed as "ice.malformed", and so on.
    for (const [k, v] of Object.entries(ice)) {
      if (k.startsWith("dropped") && typeof v === "number") out[`ice.${k[7].toLowerCase()}${k.slice(8)}`] = v;
    }
    // Requests refused with an error response (401: failed MESSAGE-INTEGRITY, 400, 420, 487).
    for (const [code, n] of Object.entries(ice.errorsSent)) out[`ice.refused${code}`] = n;
  }
  const dtls = engine.dtlsEndpoint?.stats;
  if (dtls) put("dtls.", dtls.dropped);
  const sctp = engine.sctpAssociation?.stats;
  if (sctp) {
    out["sctp.badChecksum"] = sctp.badChecksum;
    out["sctp.badTag"] = sctp.badTag;
    out["sctp.badPort"] = sctp.badPort;
    out["sctp.malformed"] = sctp.malformed;
    out["sctp.outOfTheBlue"] = sctp.outOfTheBlue;
    out["sctp.unknownChunks"] = sctp.unknownChunks;
  }
  // Drops only: the channels' opened/closed tallies are on the peer-connection report.
  const { unknownStream, badDcep, idConflicts, unknownPpid } = engine.channels.stats;
  put("channels.", { unknownStream, badDcep, idConflicts, unknownPpid });
  return out;
}
