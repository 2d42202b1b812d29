/**
 * The command line: options -> run -> reports -> exit code. Every line printed goes through the
 * redactor, so the API key never reaches the terminal, whatever the server sends back. Only what
 * --help, --list and --version need is loaded up front; a run loads the engine (run-command.ts).
 */
import { RunError, SpecError, UsageError } from '../errors.ts';
import { keySecrets } from '../generators/keys.ts';
import { PROPERTY_NAMES, titled } from '../properties/names.ts';
import { TOOL } from '../report/model.ts';
import { makeRedactor, type Redactor } from '../report/redact.ts';
import { REQUIREMENTS } from '../requirements.ts';
import type { RunConfig } from '../runner/run.ts';
import { type Contract, loadContract } from '../spec/load.ts';
import { type Options, parseOptions, usage } from './options.ts';
import type { Io } from './run-command.ts';

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function list(options: Options, contract: Contract, out: (line: string) => void): number {
  out(`Spec: ${options.spec} (${contract.title} ${contract.version}, ${contract.method} ${contract.path})`);
  out('\nProperties:');
  for (const name of PROPERTY_NAMES) out(`  ${name.padEnd(18)} ${titled(name).title}`);
  out('\nRequirements:');
  for (const r of REQUIREMENTS) out(`  ${r.id.padEnd(28)} ${r.level.padEnd(6)} ${r.title}`);
  return 0;
}

async function command(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io,
  extra: Partial<RunConfig>,
  redact: Redactor,
  setRedactor: (secrets: string[]) => void,
): Promise<number> {
  if (argv[0] === 'compare' || argv[0] === 'merge') {
    const { reportCommand } = await import('./report-commands.ts');
    return reportCommand(argv, io.out, redact);
  }
  const options = parseOptions(argv, env);
  setRedactor([...keySecrets(options.apiKey ?? ''), ...keySecrets(env['CONFORMANCE_API_KEY'] ?? '')]);
  if (options.help) {
    io.out(usage());
    return 0;
  }
  if (options.version) {
    io.out(TOOL.version);
    return 0;
  }
  const contract = loadContract(options.spec);
  if (options.list) return list(options, contract, io.out);
  const { checkTargetOptions, runCommand } = await import('./run-command.ts');
  checkTargetOptions(options, contract);
  return await runCommand(options, contract, io, redact, extra);
}

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io = processIo,
  extra: Partial<RunConfig> = {},
): Promise<number> {
  // The key may be in the environment even when options are bad: redact it from the start.
  let redact = makeRedactor(keySecrets(env['CONFORMANCE_API_KEY'] ?? ''));
  const safe: Io = { out: (line) => io.out(redact(line)), err: (line) => io.err(redact(line)) };
  try {
    const current: Redactor = (text) => redact(text);
    return await command(argv, env, safe, extra, current, (secrets) => {
      redact = makeRedactor(secrets);
    });
  } catch (error) {
    if (error instanceof UsageError || error instanceof SpecError || error instanceof RunError) {
      safe.err(`conformance: ${error.message}`);
      return 2;
    }
    safe.err(
      `conformance: internal error, the run could not be made: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (env['CONFORMANCE_DEBUG']) safe.err(String((error as Error).stack));
    return 2;
  }
}
