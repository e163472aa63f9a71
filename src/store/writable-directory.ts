import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StoreError, StoreFullError, isNoSpaceError } from '../errors.js';

/** Plain words for the errors a data dir meets, so that the message says why and not only a code. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file of that name is in the way',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is exhausted',
};

/**
 * Creates `directory` (with its parents) and checks that a file of `probeBytes` can be written in it. Throws naming the path
 * and why in plain words (`the file system is read-only (EROFS)`), never a bare `ENOENT ... mkdir`.
 */
export function ensureWritableDirectory(directory: string, probeBytes = 0): void {
  let step = 'create';
  try {
    makeDirectory(directory);
    step = 'write in';
    const probe = path.join(directory, `.write-test-${process.pid}`);
    writeFileSync(probe, Buffer.alloc(probeBytes));
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    const reason = `${Object.hasOwn(REASONS, code) ? REASONS[code] : (error as Error).message} (${code})`;
    const message = `cannot ${step} the data dir ${directory}: ${reason}`;
    if (isNoSpaceError(error)) throw new StoreFullError(message, { cause: error });
    throw new StoreError(message, { cause: error });
  }
}

/**
 * mkdir -p, with the real reason when it fails: Node's recursive mkdir reports ENOENT for a parent it could
 * not create (on a read-only file system, say); creating the first missing folder alone says EROFS.
 */
function makeDirectory(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = directory;
    while (!existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
    mkdirSync(missing, { mode: 0o700 });
    throw error;
  }
}
