/**
 * The command line: options -> run -> reports -> exit code. Every line printed goes through the
 * redactor, so the API key never reaches the terminal, whatever the server sends back.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { RunError, SpecError, UsageError } from '../errors.ts';
import { keySecrets } from '../generators/ids.ts';
import { PROPERTIES } from '../properties/index.ts';
import { progressLine, renderSummary } from '../render/terminal.ts';
import { writeReports } from '../render/write.ts';
import {
  applyExpectations,
  type ExpectationsFile,
  loadExpectations,
  TODO_REASON,
  updatedExpectations,
  writeExpectations,
} from '../report/expectations.ts';
import type { RunReport } from '../report/model.ts';
import { makeRedactor, type Redactor } from '../report/redact.ts';
import { REQUIREMENTS } from '../requirements.ts';
import type { RunEvent } from '../runner/engine.ts';
import type { RunConfig, SetupEvent } from '../runner/run.ts';
import { runConformance } from '../runner/run.ts';
import { compileValidators } from '../schemas/compile.ts';
import { type Contract, loadContract } from '../spec/load.ts';
import { configFromOptions } from './config.ts';
import { type Options, parseOptions, usage } from './options.ts';
import { replayFailures } from './replay.ts';
import { reportCommand } from './report-commands.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** What is left to clean when a second interrupt ends the process at once. */
interface Pending {
  snapshot?: { assetId: string; values: Record<string, unknown> };
  created?: string;
}

function pendingText(pending: Pending): string {
  if (pending.created)
    return `asset ${pending.created} was created by this run and may not be deleted: DELETE /api/assets/${pending.created}`;
  if (pending.snapshot)
    return `asset ${pending.snapshot.assetId} may not be restored; its values before the run were: ${JSON.stringify(pending.snapshot.values)}`;
  return 'nothing was changed yet';
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --ca file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function list(options: Options, contract: Contract, out: (line: string) => void): number {
  out(`Spec: ${options.spec} (${contract.title} ${contract.version}, ${contract.method} ${contract.path})`);
  out('\nProperties:');
  for (const p of PROPERTIES) out(`  ${p.name.padEnd(18)} ${p.title}`);
  out('\nRequirements:');
  for (const r of REQUIREMENTS) out(`  ${r.id.padEnd(28)} ${r.level.padEnd(6)} ${r.title}`);
  return 0;
}

/** What the options say about the target that only the contract can check. */
function checkTargetOptions(options: Options, contract: Contract): void {
  if (options.assetId !== undefined) {
    const errors = compileValidators(contract).pathParam(options.assetId);
    const why = errors.map((e) => e.message.replace('(root) ', '')).join('; ');
    if (errors.length > 0)
      throw new UsageError(
        `--asset-id "${options.assetId}" is not a valid ${contract.pathParam.name} for this spec (${why})`,
      );
  }
  if (options.baseUrl !== undefined && contract.auth && options.apiKey === undefined) {
    throw new UsageError(
      `the spec requires ${contract.auth.header}: give the key in CONFORMANCE_API_KEY (or --api-key)`,
    );
  }
}

/** Ctrl-C (or SIGTERM) once: stop and clean up; twice: exit at once, saying what is left to clean. */
function interrupts(
  pending: Pending,
  err: (line: string) => void,
): { controller: AbortController; listen(): () => void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      err(
        `\n${signal}: stopping; the asset is being ${pending.created ? 'deleted' : 'restored'} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to exit at once)`,
      );
      controller.abort(signal);
      return;
    }
    err(`${signal} again: exiting now. ${pendingText(pending)}`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const listen = (): (() => void) => {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  };
  return { controller, listen };
}

/** The progress lines of a run, and what an interrupt would have to clean. */
function onRunEvent(
  options: Options,
  pending: Pending,
  err: (line: string) => void,
): (event: RunEvent | SetupEvent) => void {
  return (event) => {
    if (event.type === 'preflight') {
      const target = options.baseUrl ?? `${event.baseUrl} (embedded reference server)`;
      err(
        `target ${target}, asset ${pending.created ?? options.assetId ?? '(seeded)'}${event.hasGet ? ', GET available' : ', no GET'}`,
      );
    } else if (event.type === 'snapshot') {
      pending.snapshot = { assetId: event.assetId, values: event.values };
    } else if (event.type === 'created') {
      pending.created = event.id;
      err(`created asset ${event.id} for this run (deleted at the end)`);
    } else if (event.type === 'leftovers') {
      const found = event.leftovers
        .map((l) => `${l.id} (${l.tags.find((t) => t.startsWith('conformance-run-'))})`)
        .join(', ');
      err(
        `found ${event.leftovers.length} asset(s) left by earlier runs: ${found}${event.deleting ? ': deleting them' : ': delete them with --delete-leftovers'}`,
      );
    } else {
      const line = progressLine(event, options.color);
      if (line) err(line);
    }
  };
}

/** --expectations: what the verdicts mean against what is known (and --update-expectations rewrites the file). */
function withExpectations(
  report: RunReport,
  options: Options,
  known: ExpectationsFile | null,
  err: (line: string) => void,
): RunReport {
  const file = options.expectations;
  if (file === undefined || known === null) return report;
  if (!options.updateExpectations) return applyExpectations(report, known, file);
  const next = updatedExpectations(report, known);
  writeExpectations(file, next, report);
  const todo = Object.values(next.requirements).filter((e) => e?.reason === TODO_REASON).length;
  err(
    `wrote ${file}: ${Object.keys(next.requirements).length} known failure(s)${todo ? `, ${todo} with a TODO reason to fill in` : ''}`,
  );
  return applyExpectations(report, next, file);
}

async function runCommand(
  options: Options,
  contract: Contract,
  io: Io,
  redact: Redactor,
  extra: Partial<RunConfig>,
): Promise<number> {
  const pending: Pending = {};
  const { controller, listen } = interrupts(pending, io.err);
  const stopListening = extra.signal === undefined ? listen() : () => undefined;
  const config = configFromOptions(options, {
    signal: controller.signal,
    ...(options.ca ? { ca: readCa(options.ca) } : {}),
    ...extra,
    onEvent: onRunEvent(options, pending, io.err),
  });
  io.err(
    `comfy-assets-conformance: ${contract.method} ${contract.path} from ${relative(process.cwd(), options.spec) || options.spec}, seed ${options.seed}, ${options.runs} runs per property${options.strict ? ', strict' : ''}`,
  );
  try {
    if (options.replay !== undefined)
      return await replayFailures(
        options.replay,
        options,
        contract,
        { signal: controller.signal, ...extra },
        io.out,
        io.err,
      );
    // A bad expectations file is a usage error before anything is sent.
    const known =
      options.expectations !== undefined ? loadExpectations(options.expectations, options.updateExpectations) : null;
    const report = withExpectations(await runConformance(config, contract), options, known, io.err);
    const files = writeReports(options.reportDir, report, redact);
    io.out(renderSummary(report, files.length > 0 ? options.reportDir : null, options.color));
    if (controller.signal.aborted) return controller.signal.reason === 'SIGTERM' ? 143 : 130;
    return report.exitCode;
  } finally {
    stopListening();
  }
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
    if (argv[0] === 'compare' || argv[0] === 'merge') return reportCommand(argv, safe.out, redact);
    const options = parseOptions(argv, env);
    redact = makeRedactor([...keySecrets(options.apiKey ?? ''), ...keySecrets(env['CONFORMANCE_API_KEY'] ?? '')]);
    if (options.help) {
      safe.out(usage());
      return 0;
    }
    const contract = loadContract(options.spec);
    if (options.list) return list(options, contract, safe.out);
    checkTargetOptions(options, contract);
    return await runCommand(options, contract, safe, redact, extra);
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
