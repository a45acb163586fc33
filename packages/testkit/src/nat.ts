import { type Address, type Millis, SeededRandom, address, addressKey, ipFamily } from "@tsrtc/base";

/**
 * RFC 4787 behaviours. For mapping (§4.1): which outbound datagrams share one public address.
 * For filtering (§5): which inbound sources may use a mapping.
 */
export type NatBehaviour = "endpoint-independent" | "address-dependent" | "address-and-port-dependent";

export const NatBehaviours = {
  EI: "endpoint-independent",
  AD: "address-dependent",
  APD: "address-and-port-dependent",
} as const satisfies Record<string, NatBehaviour>;

/** The classic names, as mapping + filtering pairs. */
export const NatTypes = {
  /** EI mapping, EI filtering. */
  fullCone: { mapping: "endpoint-independent", filtering: "endpoint-independent" },
  /** EI mapping, AD filtering. */
  restrictedCone: { mapping: "endpoint-independent", filtering: "address-dependent" },
  /** EI mapping, APD filtering. */
  portRestrictedCone: { mapping: "endpoint-independent", filtering: "address-and-port-dependent" },
  /** APD mapping, APD filtering. */
  symmetric: { mapping: "address-and-port-dependent", filtering: "address-and-port-dependent" },
} as const satisfies Record<string, { mapping: NatBehaviour; filtering: NatBehaviour }>;

export interface NatOptions {
  /** Label for traces. */
  name?: string;
  /** The NAT's public IP; must not be any node's address. */
  publicIp: string;
  /** Default endpoint-independent (RFC 4787 REQ-1). */
  mapping?: NatBehaviour;
  /** Default address-and-port-dependent. */
  filtering?: NatBehaviour;
  /** Public ports are drawn (seeded) from [min, max]; default [49152, 65535]. */
  portRange?: readonly [number, number];
  /** Try to keep the internal port as the public port first (RFC 4787 §4.2.1). Default false. */
  preservePort?: boolean;
  /** A mapping idle (no outbound traffic) for longer than this expires; default never. */
  mappingTimeout?: Millis;
  /** Inbound traffic refreshes the mapping too (RFC 4787 REQ-6 allows it). Default false. */
  refreshOnInbound?: boolean;
  /** Deliver datagrams from inside to the NAT's own public address back inside (REQ-9). Default false. */
  hairpinning?: boolean;
  /** Seed for port allocation; default 1. */
  seed?: number;
}

export interface NatStats {
  mappingsCreated: number;
  mappingsExpired: number;
  /** Datagrams translated on the way out. */
  outbound: number;
  /** Datagrams translated on the way in. */
  inbound: number;
  /** Inbound datagrams dropped by the filtering behaviour (unsolicited source). */
  filtered: number;
  /** Inbound datagrams to a public port with no (live) mapping. */
  noMapping: number;
  /** Datagrams from inside to the public address while hairpinning is off. */
  hairpinDropped: number;
}

/** One NAT binding: internal address ↔ public address. */
export interface NatMapping {
  readonly internal: Address;
  readonly external: Address;
  /** The remote this mapping was created for (undefined with endpoint-independent mapping). */
  readonly remote?: Address;
}

interface MappingState extends NatMapping {
  readonly key: string;
  lastActive: Millis;
  /** Filtering permissions: remote key → last outbound time. */
  readonly permits: Map<string, Millis>;
}

/**
 * A NAT box with RFC 4787 mapping and filtering behaviours. The `Network` calls `outbound` for
 * datagrams leaving its private side and `inbound` for datagrams reaching its public IP; tests
 * read `stats` and `mappings()`.
 */
export class Nat {
  readonly name: string;
  readonly publicIp: string;
  /** IP family of the public address; only hosts of this family sit behind the NAT. */
  readonly family: 4 | 6;
  readonly mapping: NatBehaviour;
  readonly filtering: NatBehaviour;
  readonly hairpinning: boolean;
  readonly stats: NatStats = {
    mappingsCreated: 0,
    mappingsExpired: 0,
    outbound: 0,
    inbound: 0,
    filtered: 0,
    noMapping: 0,
    hairpinDropped: 0,
  };
  private readonly byKey = new Map<string, MappingState>();
  private readonly byPort = new Map<number, MappingState>();
  private readonly privateHosts = new Set<string>();
  private readonly rng: SeededRandom;
  private readonly portMin: number;
  private readonly portMax: number;
  private readonly opts: NatOptions;

  constructor(opts: NatOptions) {
    if (ipFamily(opts.publicIp) === undefined) throw new TypeError(`NAT publicIp is not an IP: ${opts.publicIp}`);
    this.opts = opts;
    const pub = address(opts.publicIp, 0);
    this.publicIp = pub.host;
    this.family = pub.family;
    this.name = opts.name ?? `nat ${this.publicIp}`;
    this.mapping = opts.mapping ?? "endpoint-independent";
    this.filtering = opts.filtering ?? "address-and-port-dependent";
    this.hairpinning = opts.hairpinning ?? false;
    [this.portMin, this.portMax] = opts.portRange ?? [49152, 65535];
    if (!(this.portMin >= 1 && this.portMax <= 65535 && this.portMin <= this.portMax)) {
      throw new RangeError(`bad NAT port range ${this.portMin}-${this.portMax}`);
    }
    this.rng = new SeededRandom(opts.seed ?? 1);
  }

  /** Put a host (IP) on this NAT's private side. */
  addPrivateHost(host: string): void {
    if (ipFamily(host) !== this.family) throw new Error(`${this.name}: ${host} is not IPv${this.family}`);
    if (host === this.publicIp) throw new Error(`${this.name}: ${host} is the NAT's public IP`);
    this.privateHosts.add(host);
  }

  /** Is `host` on this NAT's private side? */
  isPrivate(host: string): boolean {
    return this.privateHosts.has(host);
  }

  /** Live mappings (expired ones are swept at `now` when given). */
  mappings(now?: Millis): NatMapping[] {
    if (now !== undefined) for (const m of [...this.byKey.values()]) this.expireIfIdle(m, now);
    return [...this.byKey.values()].map(({ internal, external, remote }) => ({ internal, external, remote }));
  }

  /**
   * Translate an outbound datagram's source: find or create the mapping (RFC 4787 §4.1),
   * refresh it and open the filter for `remote` (§5). Returns the public source address, or
   * undefined when the port range is exhausted.
   */
  outbound(internal: Address, remote: Address, now: Millis): Address | undefined {
    const key = this.mappingKey(internal, remote);
    let m = this.byKey.get(key);
    if (m && this.expireIfIdle(m, now)) m = undefined;
    if (!m) {
      const port = this.allocatePort(internal.port, now);
      if (port === undefined) return undefined;
      m = {
        key,
        internal,
        external: address(this.publicIp, port),
        remote: this.mapping === "endpoint-independent" ? undefined : remote,
        lastActive: now,
        permits: new Map(),
      };
      this.byKey.set(key, m);
      this.byPort.set(port, m);
      this.stats.mappingsCreated++;
    }
    m.lastActive = now;
    m.permits.set(this.filterKey(remote), now);
    this.stats.outbound++;
    return m.external;
  }

  /**
   * Translate an inbound datagram sent by `remote` to our public `to`: returns the internal
   * destination, or undefined (counted) when there is no mapping or filtering refuses it.
   */
  inbound(remote: Address, to: Address, now: Millis): Address | undefined {
    const m = this.byPort.get(to.port);
    if (!m || this.expireIfIdle(m, now)) {
      this.stats.noMapping++;
      return undefined;
    }
    if (this.filtering !== "endpoint-independent") {
      const t = m.permits.get(this.filterKey(remote));
      const timeout = this.opts.mappingTimeout;
      if (t === undefined || (timeout !== undefined && now - t > timeout)) {
        this.stats.filtered++;
        return undefined;
      }
    }
    if (this.opts.refreshOnInbound) m.lastActive = now;
    this.stats.inbound++;
    return m.internal;
  }

  private mappingKey(internal: Address, remote: Address): string {
    const i = addressKey(internal);
    switch (this.mapping) {
      case "endpoint-independent":
        return i;
      case "address-dependent":
        return `${i}>${remote.host}`;
      case "address-and-port-dependent":
        return `${i}>${addressKey(remote)}`;
    }
  }

  private filterKey(remote: Address): string {
    return this.filtering === "address-dependent" ? remote.host : addressKey(remote);
  }

  private expireIfIdle(m: MappingState, now: Millis): boolean {
    const timeout = this.opts.mappingTimeout;
    if (timeout === undefined || now - m.lastActive <= timeout) return false;
    this.byKey.delete(m.key);
    this.byPort.delete(m.external.port);
    this.stats.mappingsExpired++;
    return true;
  }

  private allocatePort(internalPort: number, now: Millis): number | undefined {
    const free = (p: number): boolean => {
      const m = this.byPort.get(p);
      return !m || this.expireIfIdle(m, now);
    };
    if (this.opts.preservePort && internalPort >= this.portMin && internalPort <= this.portMax && free(internalPort)) {
      return internalPort;
    }
    const span = this.portMax - this.portMin + 1;
    for (let i = 0; i < 64; i++) {
      const p = this.portMin + this.rng.nextInt(span);
      if (free(p)) return p;
    }
    for (let p = this.portMin; p <= this.portMax; p++) if (free(p)) return p;
    return undefined;
  }
}
