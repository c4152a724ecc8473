// File operations that fail on purpose, for the atomic-save tests: the save handler's real
// operations, recorded; the k-th call (1-based) fails, and with `crash` every later one too
// (the process is gone).
import path from 'node:path';
import type { FileOps } from '../../src/io/handlers.ts';

export function faulty(ops: FileOps, k: number, crash = false): { ops: FileOps; calls: string[] } {
  const calls: string[] = [];
  let n = 0;
  let dead = false;
  const wrap =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      calls.push(`${name} ${a.filter((x) => typeof x === 'string').map((p) => path.basename(p as string)).join(' → ')}`);
      if (dead) throw Object.assign(new Error('the process is gone'), { code: 'ECRASH' });
      if (++n === k) {
        if (crash) dead = true;
        throw Object.assign(new Error(`injected fault in ${name}`), { code: 'EIO' });
      }
      return f(...a);
    };
  return {
    calls,
    ops: {
      stat: wrap('stat', ops.stat),
      mkdir: wrap('mkdir', ops.mkdir),
      writeFile: wrap('writeFile', ops.writeFile),
      link: wrap('link', ops.link),
      rename: wrap('rename', ops.rename),
      unlink: wrap('unlink', ops.unlink),
    },
  };
}
