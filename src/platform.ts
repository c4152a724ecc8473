/**
 * Runtime facts and Node built-ins, loaded so that browser bundles stay clean: a node built-in
 * is only ever imported dynamically, through a specifier bundlers do not resolve.
 */

/** `import()` of `node:<name>`; only call it where `hasNodeBuiltins()` is true. */
export const nodeBuiltin = <T>(name: string): Promise<T> => {
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
};

/** Node, Deno and Bun provide `node:` built-ins; browsers and most edge runtimes do not. */
export function hasNodeBuiltins(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  return !!(g.process?.versions?.node || g.Deno);
}
