import { parseArgs } from 'node:util';
import { CommandContext, type CommandSpec, GLOBAL_OPTIONS, type OptionDef, type OptionValues } from './command';
import { bootstrapCommand, loginCommand, logoutCommand } from './commands/auth.commands';
import { bundleExportCommand, bundleImportCommand } from './commands/bundle.commands';
import { identityCreateCommand } from './commands/identity.commands';
import { keysGenerateCommand } from './commands/keys.commands';
import { tokenMintCommand } from './commands/token.commands';
import { workspaceCreateCommand, workspaceListCommand } from './commands/workspace.commands';
import { ApiError, CliError, UsageError } from './errors';
import type { CliIo } from './io';

export const COMMANDS: readonly CommandSpec[] = [
  bootstrapCommand,
  loginCommand,
  logoutCommand,
  workspaceCreateCommand,
  workspaceListCommand,
  identityCreateCommand,
  tokenMintCommand,
  keysGenerateCommand,
  bundleImportCommand,
  bundleExportCommand,
];

function optionUsage(name: string, def: OptionDef): string {
  return `${def.short ? `-${def.short}, ` : ''}--${name}${def.placeholder ? ` ${def.placeholder}` : ''}`;
}

function optionTable(options: Record<string, OptionDef>): string {
  const entries = Object.entries(options);
  const width = Math.max(...entries.map(([name, def]) => optionUsage(name, def).length));
  return entries.map(([name, def]) => `  ${optionUsage(name, def).padEnd(width)}  ${def.description}`).join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const parts = [`Usage: orchctl ${command.name}${command.args ? ` ${command.args.join(' ')}` : ''}${Object.keys(command.options).length ? ' [options]' : ''}`, '', command.summary + '.'];
  if (command.description) parts.push(command.description);
  if (Object.keys(command.options).length) parts.push('', 'Options:', optionTable(command.options));
  parts.push('', 'Global options:', optionTable(GLOBAL_OPTIONS));
  return parts.join('\n');
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'orchctl: drives the Orchestrator control API (bootstrap, operators, workspaces, identities, tokens, bundles).',
    '',
    'Usage: orchctl <command> [options]      orchctl <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    optionTable(GLOBAL_OPTIONS),
    '',
    'Environment: ORCH_CONTROL_URL, ORCHCTL_SESSION_FILE, ORCH_BOOTSTRAP_TOKEN, ORCH_CLIENT_SECRET.',
    'Exit codes: 0 done, 1 failed (the API refused, unreachable, no session), 2 bad command line.',
  ].join('\n');
}

/** The command named by the first one or two words, and the arguments after them. */
function findCommand(argv: string[]): { command: CommandSpec; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command && argv.length >= words) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

function parse(command: CommandSpec, args: string[]): { positionals: string[]; values: OptionValues } {
  const options = Object.fromEntries(Object.entries({ ...GLOBAL_OPTIONS, ...command.options }).map(([name, def]) => [name, { type: def.type, ...(def.short ? { short: def.short } : {}) }]));
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { positionals, values: values as OptionValues };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/, ''));
  }
}

function describeDetails(details: unknown): string[] {
  if (Array.isArray(details)) {
    return details.map((d: { path?: unknown; message?: unknown }) => (typeof d?.message === 'string' ? `  ${typeof d.path === 'string' && d.path ? `${d.path}: ` : ''}${d.message}` : `  ${JSON.stringify(d)}`));
  }
  return details === undefined || details === null ? [] : [`  ${JSON.stringify(details)}`];
}

/** Prints a failure on stderr: the API's code, message and request id, or ours. */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
  if (error instanceof ApiError) {
    if (json && error.raw !== undefined) {
      io.err(JSON.stringify(error.raw, null, 2));
    } else {
      io.err([`error: ${error.body.code}: ${error.body.message}${error.body.request_id ? ` (request id ${error.body.request_id})` : ''}`, ...describeDetails(error.body.details)].join('\n'));
    }
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}\nRun orchctl --help, or orchctl <command> --help.`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    io.err(`error: ${error.message}`);
    return error.exitCode;
  }
  io.err(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/** Runs one command line; resolves with the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.out(mainHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (group.length > 0) {
      io.err(`orchctl ${argv[0]}: ${argv[1] && !argv[1].startsWith('-') ? `unknown subcommand "${argv[1]}"` : 'which one?'}\n${group.map((c) => `  orchctl ${c.name.padEnd(18)} ${c.summary}`).join('\n')}`);
      return 2;
    }
    io.err(`orchctl: unknown command "${argv[0]}"\n\n${mainHelp()}`);
    return 2;
  }
  const { command, rest } = found;
  let json = rest.includes('--json');
  try {
    const { positionals, values } = parse(command, rest);
    json = values['json'] === true;
    if (values['help']) {
      io.out(commandHelp(command));
      return 0;
    }
    const expected = command.args ?? [];
    if (positionals.length !== expected.length) {
      throw new UsageError(expected.length === 0 ? `orchctl ${command.name} takes no arguments (got "${positionals.join(' ')}")` : `orchctl ${command.name} needs ${expected.join(' ')}`);
    }
    await command.run(new CommandContext(positionals, values, io));
    return 0;
  } catch (error) {
    return reportError(io, error, json);
  }
}
