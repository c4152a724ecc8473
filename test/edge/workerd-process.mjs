// Starting a workerd server from a config for the edge suite and bench/edge.mjs: its sockets
// listen on ports workerd picks (reported on a control pipe), its output is kept for errors.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from '../runtime/runner.mjs';

/**
 * The workerd binary: WORKERD_PATH, else the platform binary of the `workerd` devDependency (its
 * main export is that path; resolving it ourselves works whether or not the package's postinstall
 * ran, and spares the JS launcher `.bin/workerd` becomes without it, which passes on no control
 * pipe). { bin, version }, or { bin: null, reason } when it cannot run here.
 */
export function findWorkerd() {
  let bin = process.env.WORKERD_PATH;
  if (!bin) {
    try {
      bin = createRequire(path.join(root, 'package.json'))('workerd').default;
    } catch (e) {
      return { bin: null, reason: `the workerd devDependency cannot be loaded (npm install installs it): ${e.message.split('\n')[0]}` };
    }
  }
  if (!fs.existsSync(bin)) return { bin: null, reason: `no workerd binary at ${bin} (its platform package is an optional dependency: was it omitted?)` };
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? (probe.stderr || `exit status ${probe.status}`).trim().split('\n')[0];
    return { bin: null, reason: `workerd at ${bin} does not run here: ${why}` };
  }
  return { bin, version: probe.stdout.trim() };
}

/**
 * `workerd serve <config>` with every socket on a port of its choosing (`sockets` names them),
 * resolved once each reports that it listens: { urls: { name: 'http://127.0.0.1:port' }, stop }.
 */
export function startWorkerd(bin, config, { sockets = ['http'], args = [], timeoutMs = 60_000 } = {}) {
  const child = spawn(bin, ['serve', config, ...sockets.map((s) => `--socket-addr=${s}=127.0.0.1:0`), '--control-fd=3', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const urls = {};
    let pending = '';
    const timer = setTimeout(() => fail(new Error(`workerd did not listen within ${timeoutMs / 1000} s`)), timeoutMs);
    const fail = (e) => {
      clearTimeout(timer);
      stop().then(() => reject(new Error(`${e.message}\nworkerd serve ${path.relative(root, config)}:\n${log}`)));
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`workerd exited (${signal ?? code}) before listening`)));
    child.stdio[3].on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const m = line.trim() && JSON.parse(line);
        if (m && m.event === 'listen') urls[m.socket] = `http://127.0.0.1:${m.port}`;
      }
      if (sockets.every((s) => urls[s])) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ urls, stop, log: () => log, child });
      }
    });
  });
}
