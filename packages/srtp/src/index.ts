/**
 * @tsrtc/srtp: SRTP and SRTCP (RFC 3711, RFC 7714) for the DTLS-SRTP profiles, as pure functions
 * over buffers.
 *
 *   const material = dtls.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, keyingMaterialLength(id));
 *   const { local, remote } = createSrtpSessionFromKeyingMaterial(id, material, "client");
 *   const wire = local.protectRtp(rtpBytes);        // Uint8Array, or undefined + local.lastError
 *   const rtp = remote.unprotectRtp(datagram);      // undefined + remote.lastError on failure
 *
 * Contexts keep per-SSRC rollover counters and replay windows, created on demand (after
 * authentication, for received packets) up to `maxSsrcs`. Failures are counted in `stats`.
 */
export * from "./profiles.js";
export * from "./kdf.js";
export * from "./rtp-header.js";
export * from "./rtcp.js";
export * from "./context.js";
export * from "./session.js";
export { estimateRoc } from "./stream.js";
export type { SrtpTransform } from "./ciphers/transform.js";
