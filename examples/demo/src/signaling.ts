/**
 * The signaling messages the page and the server exchange over the WebSocket, one JSON object per
 * text message. Descriptions and candidates use the W3C dictionary shapes, so either side passes
 * them straight to setRemoteDescription / addIceCandidate.
 *
 *   server → page  { type: "hello", offerer }             first message: who makes the offer
 *   both ways      { type: "description", description }   an RTCSessionDescriptionInit
 *   both ways      { type: "candidate", candidate }       an RTCIceCandidateInit, null = end of candidates
 *   server → page  { type: "error", message }             the Node peer failed; the page shows it
 */
import type { RTCIceCandidateInit, RTCSessionDescriptionInit } from "@tsrtc/webrtc";

/** Which side creates the offer: chosen by the page with `?offer=node` or `?offer=browser`. */
export type Offerer = "browser" | "node";

export type SignalMessage =
  | { type: "hello"; offerer: Offerer }
  | { type: "description"; description: RTCSessionDescriptionInit }
  | { type: "candidate"; candidate: RTCIceCandidateInit | null }
  | { type: "error"; message: string };

/** Parse a message from the page; undefined when it is not one we understand. */
export function parseSignal(text: string): SignalMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== "object") return undefined;
  const m = v as Record<string, unknown>;
  if (m.type === "description") {
    const d = m.description as Record<string, unknown> | null;
    if (!d || typeof d !== "object" || typeof d.sdp !== "string") return undefined;
    if (d.type !== "offer" && d.type !== "answer") return undefined;
    return { type: "description", description: { type: d.type, sdp: d.sdp } };
  }
  if (m.type === "candidate") {
    const c = m.candidate as Record<string, unknown> | null;
    if (c === null) return { type: "candidate", candidate: null };
    if (typeof c !== "object" || typeof c.candidate !== "string") return undefined;
    return {
      type: "candidate",
      candidate: {
        candidate: c.candidate,
        sdpMid: typeof c.sdpMid === "string" ? c.sdpMid : null,
        sdpMLineIndex: typeof c.sdpMLineIndex === "number" ? c.sdpMLineIndex : null,
        usernameFragment: typeof c.usernameFragment === "string" ? c.usernameFragment : null,
      },
    };
  }
  return undefined;
}

/** `?offer=node` makes the Node peer the offerer; anything else leaves it to the browser. */
export function offererFromQuery(search: URLSearchParams): Offerer {
  return search.get("offer") === "node" ? "node" : "browser";
}
