/**
 * The command line: options -> run -> reports -> exit code. Every line printed goes through the
 * redactor, so the API key never reaches the terminal, whatever the server sends back. Only what
 * --help, --list and --version need is loaded up front; a run loads the engine (run-command.ts).
 */

import { type Options, parseOptions, usage } from '../api/options.ts';
import { type Contract, loadContract } from '../contract/load.ts';
import { RunError, SpecError, UsageError } from '../errors.ts';
import { keySecrets } from '../generators/keys.ts';
import { PROPERTY_NAMES, titled } from '../properties/names.ts';
import { type NotRunReport, type NotRunStage, REPORT_SCHEMA_VERSION, TOOL } from '../report/model.ts';
import { makeRedactor, type Redactor } from '../report/redact.ts';
import { PROFILE_NAMES, PROFILES, REQUIREMENTS } from '../requirements.ts';
import type { RunConfig } from '../runner/run.ts';
import type { Io } from './run-command.ts';

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function notRun(options: Options, stage: NotRunStage, reason: string, startedAt: string): NotRunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: TOOL,
    exitCode: 2,
    notRun: { stage, reason },
    target: {
      baseUrl: options.baseUrl ?? '',
      embedded: options.baseUrl === undefined && options.handler === undefined,
      ...(options.handler !== undefined ? { handler: options.handler } : {}),
      assetIds: options.assetId ?? [],
      createAsset: options.createAsset,
    },
    spec: { file: options.spec },
    startedAt,
  };
}

function list(options: Options, contract: Contract, out: (line: string) => void): number {
  out(`Spec: ${options.spec} (${contract.title} ${contract.version}, ${contract.method} ${contract.path})`);
  out('\nProperties:');
  for (const name of PROPERTY_NAMES) out(`  ${name.padEnd(18)} ${titled(name).title}`);
  out('\nRequirements:');
  for (const r of REQUIREMENTS) out(`  ${r.id.padEnd(28)} ${r.level.padEnd(6)} ${r.title}`);
  out('\nProfiles (--profile): the requirements each holds');
  for (const name of PROFILE_NAMES) {
    const { title, leaves } = PROFILES[name];
    out(`  ${name.padEnd(18)} ${title}`);
    if (leaves.length > 0) out(`  ${''.padEnd(18)} not required: ${leaves.join(', ')}`);
  }
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
  setRedactor(
    keySecrets(options.apiKey, env['CONFORMANCE_API_KEY'], options.compareApiKey, env['CONFORMANCE_COMPARE_API_KEY']),
  );
  if (options.help) {
    io.out(usage());
    return 0;
  }
  if (options.version) {
    io.out(TOOL.version);
    return 0;
  }
  if (options.list) return list(options, loadContract(options.spec), io.out);
  const startedAt = new Date().toISOString();
  let stage: NotRunStage = 'spec';
  try {
    const contract = loadContract(options.spec);
    stage = 'options';
    const { runCommand } = await import('./run-command.ts');
    const { checkTargetOptions } = await import('../api/run.ts');
    const target = options.replay !== undefined ? (await import('./replay.ts')).replayTarget(options, io.err) : options;
    checkTargetOptions(target, contract, target.handler !== undefined);
    const handler =
      target.handler !== undefined ? { handler: await (await import('./handler.ts')).loadHandler(target.handler) } : {};
    stage = 'target';
    return await runCommand(target, contract, io, redact, { ...extra, ...handler });
  } catch (error) {
    // a replay writes no reports of its own; any other run that could not start leaves report.json and junit.xml
    if (options.reportDir && options.replay === undefined) {
      const at: NotRunStage =
        error instanceof UsageError
          ? 'options'
          : error instanceof SpecError
            ? 'spec'
            : error instanceof RunError
              ? stage
              : 'internal';
      const reason = error instanceof Error ? error.message : String(error);
      const { writeNotRun } = await import('../render/write.ts');
      const files = writeNotRun(options.reportDir, notRun(options, at, reason, startedAt), redact);
      io.out(`reports (the run could not start): ${files.join(', ')}`);
    }
    throw error;
  }
}

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io = processIo,
  extra: Partial<RunConfig> = {},
): Promise<number> {
  // The key may be in the environment even when options are bad: redact it from the start.
  let redact = makeRedactor(keySecrets(env['CONFORMANCE_API_KEY'], env['CONFORMANCE_COMPARE_API_KEY']));
  const safe: Io = { out: (line) => io.out(redact(line)), err: (line) => io.err(redact(line)) };
  try {
    const current: Redactor = (text) => redact(text);
    return await command(argv, env, safe, extra, current, (secrets) => {
      redact = makeRedactor(secrets);
    });
  } catch (error) {
    if (error instanceof UsageError || error instanceof SpecError || error instanceof RunError) {
      safe.err(`${TOOL.name}: ${error.message}`);
      return 2;
    }
    safe.err(
      `${TOOL.name}: internal error, the run could not be made: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (env['CONFORMANCE_DEBUG']) safe.err(String((error as Error).stack));
    return 2;
  }
}
