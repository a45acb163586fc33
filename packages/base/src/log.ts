import createDebug from "debug";

/** A namespaced logger following the `debug` convention: DEBUG=tsrtc:ice,tsrtc:dtls. */
export type Logger = (formatter: string, ...args: unknown[]) => void;

export function logger(component: string): Logger {
  return createDebug(`tsrtc:${component}`);
}
