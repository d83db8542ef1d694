/**
 * A browser File (or any Blob) as a ByteSource for the safetensors reader: each read is a
 * Blob.slice of exactly the bytes the header names, so a 500 MB checkpoint is never read
 * whole to be validated, and nothing is sent anywhere.
 */
import type { ByteSource } from './safetensors.ts';

export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}
