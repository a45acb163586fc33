import type { AttributeCodec } from "./attributes/codec.js";
import { isDirection } from "./attributes/direction.js";
import { type Extmap, extmap } from "./attributes/extmap.js";
import { type Fingerprint, fingerprint } from "./attributes/fingerprint.js";
import { iceOptions, icePwd, iceUfrag } from "./attributes/ice.js";
import { type SetupRole, setup } from "./attributes/setup.js";
import type { Direction, SdpAttribute, SdpBandwidth, SdpConnection, SdpExtraLine } from "./types.js";

/**
 * What the session part and a media section share (RFC 8866 §5): `i=`, `c=`, `b=`, `k=`, the
 * ordered attribute list, and lines of unknown type. Typed accessors read and write through
 * `attributes`, so order and duplicates survive a round trip; a typed value is parsed only when
 * it is asked for.
 */
export class SdpSection {
  info: string | undefined = undefined;
  connection: SdpConnection | undefined = undefined;
  bandwidths: SdpBandwidth[] = [];
  /** `k=` (obsolete, RFC 8866 §5.12), kept as written. */
  key: string | undefined = undefined;
  attributes: SdpAttribute[] = [];
  /** Lines whose type letter is not modelled, with where they stood among the attributes. */
  extraLines: SdpExtraLine[] = [];

  // ---- the attribute list ----

  /** The first attribute called `name`. */
  attribute(name: string): SdpAttribute | undefined {
    const list = this.attributes;
    for (let i = 0; i < list.length; i++) if (list[i].name === name) return list[i];
    return undefined;
  }

  /** All attributes called `name`, in order. */
  attributesNamed(name: string): SdpAttribute[] {
    const out: SdpAttribute[] = [];
    const list = this.attributes;
    for (let i = 0; i < list.length; i++) if (list[i].name === name) out.push(list[i]);
    return out;
  }

  hasAttribute(name: string): boolean {
    return this.attribute(name) !== undefined;
  }

  /** Append `a=<name>[:<value>]`. */
  addAttribute(name: string, value?: string): SdpAttribute {
    const a: SdpAttribute = { name, value, line: undefined };
    this.attributes.push(a);
    return a;
  }

  /**
   * Make `name` appear once with `value`: the first one keeps its place and takes the value, later
   * ones are removed; appended when absent.
   */
  setAttribute(name: string, value?: string): void {
    const list = this.attributes;
    let kept = false;
    let w = 0;
    for (let r = 0; r < list.length; r++) {
      const a = list[r];
      if (a.name === name) {
        if (kept) continue;
        kept = true;
        list[w++] = { name, value, line: undefined };
      } else list[w++] = a;
    }
    list.length = w;
    if (!kept) this.addAttribute(name, value);
  }

  /** Remove the attributes called `name` (those `match` accepts, when given); returns how many. */
  removeAttributes(name: string, match?: (a: SdpAttribute) => boolean): number {
    const list = this.attributes;
    let w = 0;
    for (let r = 0; r < list.length; r++) {
      const a = list[r];
      if (a.name === name && (match === undefined || match(a))) continue;
      list[w++] = a;
    }
    const removed = list.length - w;
    list.length = w;
    return removed;
  }

  /** Whether the flag attribute `a=<name>` is present. */
  flag(name: string): boolean {
    return this.attribute(name) !== undefined;
  }

  /** Add (once) or remove the flag attribute `a=<name>`. */
  setFlag(name: string, on: boolean): void {
    if (!on) this.removeAttributes(name);
    else if (!this.flag(name)) this.addAttribute(name);
  }

  // ---- typed access through a codec ----

  /** The first `codec.name` attribute, parsed. Throws SdpParseError (with its line) when malformed. */
  get<T>(codec: AttributeCodec<T>): T | undefined {
    const a = this.attribute(codec.name);
    return a === undefined ? undefined : codec.parse(a.value, a.line);
  }

  /** Every `codec.name` attribute, parsed, in order. */
  getAll<T>(codec: AttributeCodec<T>): T[] {
    const out: T[] = [];
    const list = this.attributes;
    const name = codec.name;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (a.name === name) out.push(codec.parse(a.value, a.line));
    }
    return out;
  }

  /** Append one typed attribute. */
  add<T>(codec: AttributeCodec<T>, v: T): void {
    this.addAttribute(codec.name, codec.format(v));
  }

  /** Set a single-valued typed attribute (see setAttribute); undefined removes it. */
  set<T>(codec: AttributeCodec<T>, v: T | undefined): void {
    if (v === undefined) this.removeAttributes(codec.name);
    else this.setAttribute(codec.name, codec.format(v));
  }

  /** Remove the typed attributes `match` accepts; returns how many. */
  removeWhere<T>(codec: AttributeCodec<T>, match: (v: T) => boolean): number {
    return this.removeAttributes(codec.name, (a) => match(codec.parse(a.value, a.line)));
  }

  // ---- accessors valid at session and media level ----

  /** `a=ice-ufrag` (RFC 8839 §5.4). */
  get iceUfrag(): string | undefined {
    return this.get(iceUfrag);
  }
  set iceUfrag(v: string | undefined) {
    this.set(iceUfrag, v);
  }

  /** `a=ice-pwd` (RFC 8839 §5.4). */
  get icePwd(): string | undefined {
    return this.get(icePwd);
  }
  set icePwd(v: string | undefined) {
    this.set(icePwd, v);
  }

  /** `a=ice-options` tags (RFC 8839 §5.6); [] when absent. */
  get iceOptions(): string[] {
    return this.get(iceOptions) ?? [];
  }
  set iceOptions(v: string[]) {
    this.set(iceOptions, v.length === 0 ? undefined : v);
  }

  /** `a=fingerprint` lines (RFC 8122 §5); there may be several. */
  fingerprints(): Fingerprint[] {
    return this.getAll(fingerprint);
  }
  /** The first `a=fingerprint`. */
  get fingerprint(): Fingerprint | undefined {
    return this.get(fingerprint);
  }
  set fingerprint(v: Fingerprint | undefined) {
    this.set(fingerprint, v);
  }

  /** `a=setup` (RFC 4145 §4). */
  get setup(): SetupRole | undefined {
    return this.get(setup);
  }
  set setup(v: SetupRole | undefined) {
    this.set(setup, v);
  }

  /**
   * The direction attribute (RFC 8866 §6.7): the first of sendrecv/sendonly/recvonly/inactive,
   * or undefined when none is written (the RFC default is sendrecv).
   */
  get direction(): Direction | undefined {
    const list = this.attributes;
    for (let i = 0; i < list.length; i++) {
      const n = list[i].name;
      if (isDirection(n) && list[i].value === undefined) return n;
    }
    return undefined;
  }
  /** Replace the direction in place (or append it); undefined removes it. */
  set direction(v: Direction | undefined) {
    const list = this.attributes;
    let w = 0;
    let placed = false;
    for (let r = 0; r < list.length; r++) {
      const a = list[r];
      if (isDirection(a.name) && a.value === undefined) {
        if (v === undefined || placed) continue;
        placed = true;
        list[w++] = { name: v, value: undefined, line: undefined };
      } else list[w++] = a;
    }
    list.length = w;
    if (v !== undefined && !placed) this.addAttribute(v);
  }

  /** `a=extmap` lines (RFC 8285 §5), in order. */
  extmaps(): Extmap[] {
    return this.getAll(extmap);
  }
  addExtmap(e: Extmap): void {
    this.add(extmap, e);
  }
  /** Remove the extmap with this id; returns whether one was removed. */
  removeExtmap(id: number): boolean {
    return this.removeWhere(extmap, (e) => e.id === id) > 0;
  }

  /** `a=extmap-allow-mixed` (RFC 8285 §6). */
  get extmapAllowMixed(): boolean {
    return this.flag("extmap-allow-mixed");
  }
  set extmapAllowMixed(on: boolean) {
    this.setFlag("extmap-allow-mixed", on);
  }
}
