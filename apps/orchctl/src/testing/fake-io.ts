import type { CliIo } from '../io';

export interface FakeIo extends CliIo {
  stdout: string[];
  stderr: string[];
}

/** An in-memory process for unit tests: captured output, given stdin, environment and clock. */
export function fakeIo(options: { env?: NodeJS.ProcessEnv; stdin?: string; now?: () => number } = {}): FakeIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    readStdin: async () => options.stdin ?? '',
    promptSecret: async () => {
      throw new Error('no terminal in tests');
    },
    env: options.env ?? {},
    now: options.now ?? (() => Date.now()),
  };
}
