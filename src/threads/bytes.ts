// Bytes across a thread boundary: structured cloning hands a Buffer over as a plain Uint8Array.
// This gives the Buffer back as a view on the same memory, without copying.

export function asBuffer(bytes: Uint8Array): Buffer;
export function asBuffer(bytes: Uint8Array | undefined): Buffer | undefined;
export function asBuffer(bytes: Uint8Array | undefined): Buffer | undefined {
  return bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
