/**
 * A checkpoint file as a ByteSource for the safetensors reader: opened like every CLI input
 * (regular files only, refused at once when a directory, FIFO or device; a size limit), then
 * read piece by piece at the offsets the header gives, so a file that claims a huge header
 * or tensor is refused before anything large is read or allocated.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SafetensorsError, type ByteSource } from '../model/gpt2/safetensors.ts';
import { precheckInputFile } from './io.ts';
import { UsageError } from './args.ts';

export interface FileSource extends ByteSource {
  close(): void;
}

export function openCheckpointFile(path: string, flag: string, maxBytes: number): FileSource {
  precheckInputFile(path, flag, maxBytes);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const size = fstatSync(fd).size;
  return {
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, out, got, length - got, offset + got);
        if (n === 0)
          throw new SafetensorsError(
            'truncated',
            `${flag} ${path}: the file ended at byte ${offset + got} while reading ${length} bytes at ${offset} (it shrank while read?)`,
          );
        got += n;
      }
      return out;
    },
    close: () => closeSync(fd),
  };
}
