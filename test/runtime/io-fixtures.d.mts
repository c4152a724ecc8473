// Types for io-fixtures.mjs (plain JS: the Deno and browser runners load it with node alone).
export interface IoCase {
  name: string;
  /** The folder of the model's files: `${dir}/model.json` and its shards. */
  dir: string;
  inputShape: number[];
  input: number[];
  /** TF.js's prediction on `input`. */
  expected: number[];
}
export function makeIoFixtures(): Promise<{ files: Map<string, Uint8Array>; cases: IoCase[] }>;
