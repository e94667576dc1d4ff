// The shape of a verification result, shared by the verifier's modules and its faces (CLI, API).
// Plain JSON-ready data: times are ISO strings, no Buffers.

export interface PecCheck {
  /** dotted name, e.g. `signature.digest`, `daticert.dtd`, `ids.msgid-vs-riferimento` */
  name: string;
  ok: boolean;
  detail?: string;
  /**
   * Noteworthy but not disqualifying: a tolerated deviation of real traffic (legacy protocol,
   * LF-only copy, missing msgid). A failed check with `warning` does not make the message invalid.
   */
  warning?: boolean;
}
