import { CliError } from './errors';

/** What a command may touch of its process: output, input, environment, clock. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input (for --password-stdin and friends). */
  readStdin(): Promise<string>;
  /** Asks for a secret on the terminal without echoing it; fails when stdin is not a terminal. */
  promptSecret(question: string): Promise<string>;
  env: NodeJS.ProcessEnv;
  now(): number;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new CliError('no terminal to ask for the secret: pass it on standard input (--password-stdin)'));
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003' || char === '\u0004') {
          finish();
          reject(new CliError('cancelled'));
          return;
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    readStdin: () => readAll(process.stdin),
    promptSecret: promptHidden,
    env: process.env,
    now: () => Date.now(),
  };
}

/** A secret read from stdin loses its final line break (echo adds one), nothing else. */
export function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
