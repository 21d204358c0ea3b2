/**
 * The W3C/OTLP span id of a spantrail span id: its low 8 bytes (the last 16
 * hex characters). A 16-character id is returned as it is.
 */
function w3cSpanId(spanId: string): string {
  return spanId.length === 32 ? spanId.slice(16) : spanId;
}

export { w3cSpanId };
