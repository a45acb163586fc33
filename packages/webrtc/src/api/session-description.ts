/** W3C RTCSessionDescription (§4.8.1). */
export type RTCSdpType = "offer" | "pranswer" | "answer" | "rollback";

export interface RTCSessionDescriptionInit {
  type: RTCSdpType;
  sdp?: string;
}

export interface RTCLocalSessionDescriptionInit {
  type?: RTCSdpType;
  sdp?: string;
}

const TYPES: ReadonlySet<string> = new Set(["offer", "pranswer", "answer", "rollback"]);

export class RTCSessionDescription {
  readonly type: RTCSdpType;
  readonly sdp: string;

  constructor(init: RTCSessionDescriptionInit) {
    if (!init || !TYPES.has(init.type)) {
      throw new TypeError(`The provided value '${String(init?.type)}' is not a valid enum value of type RTCSdpType`);
    }
    this.type = init.type;
    this.sdp = init.sdp ?? "";
  }

  toJSON(): RTCSessionDescriptionInit {
    return { type: this.type, sdp: this.sdp };
  }
}
