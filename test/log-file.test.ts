import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFile } from '../src/log-file.js';
import { makeTempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempFile(): string {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  return path.join(temp.dir, 'agentd.log');
}

const text = (file: string) => readFileSync(file, { encoding: 'utf8', flag: 'a+' });

describe('the log file', () => {
  it('appends the lines of a turn when the turn ends, in the order logged', async () => {
    const file = tempFile();
    const log = new LogFile(file);
    cleanups.push(() => log.close());
    log.write('one\n');
    log.write('two\n');
    expect(text(file)).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text(file)).toBe('one\ntwo\n');
    log.write('three\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text(file)).toBe('one\ntwo\nthree\n');
  });

  it('writes what it holds when closed, and drops lines logged after', () => {
    const file = tempFile();
    const log = new LogFile(file);
    log.write('last words\n');
    log.close();
    log.write('too late\n');
    expect(text(file)).toBe('last words\n');
  });

  it('loses no line when the process exits in the turn that logged it', () => {
    const file = tempFile();
    const module = fileURLToPath(new URL('../dist/src/log-file.js', import.meta.url));
    const script = `import { LogFile } from ${JSON.stringify(module)};
      new LogFile(${JSON.stringify(file)}).write('said just before exit\\n');
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(3);
    expect(text(file)).toBe('said just before exit\n');
  });
});
