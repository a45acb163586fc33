/** What a DtlsEndpoint reports through pollEvent(), and its states. */
import type { CipherSuiteName } from "./cipher-suites.js";
import type { SrtpProfileName } from "./constants.js";

export type DtlsCloseReason = "close_notify" | "local" | "fatal_alert_sent" | "fatal_alert_received" | "timeout";

export type DtlsEvent =
  | {
      type: "connected";
      cipherSuite: CipherSuiteName;
      srtpProfile: SrtpProfileName | undefined;
      /** The peer's certificate, DER. */
      remoteCertificate: Uint8Array;
      extendedMasterSecret: boolean;
    }
  | { type: "data"; data: Uint8Array }
  | { type: "alert"; direction: "sent" | "received"; level: "warning" | "fatal"; description: number; name: string }
  | { type: "error"; error: Error; alert: number }
  | { type: "closed"; reason: DtlsCloseReason };

export type DtlsState = "new" | "handshaking" | "connected" | "closed";
