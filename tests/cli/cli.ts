/**
 * The command line: options -> run -> reports -> exit code. Every line printed goes through the
 * redactor, so the API key never reaches the terminal, whatever the server sends back.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REQUIREMENTS } from '../checks/requirements.ts';
import { PROPERTIES } from '../properties/index.ts';
import { makeRedactor } from '../reports/redact.ts';
import { progressLine, renderSummary } from '../reports/terminal.ts';
import { writeReports } from '../reports/write.ts';
import { RunError } from '../runner/preflight.ts';
import { type RunConfig, defaultReplayCommand, runConformance } from '../runner/run.ts';
import { SpecError, loadContract } from '../spec/load.ts';
import { DEFAULT_SPEC, type Options, UsageError, parseOptions, usage } from './options.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Builds the run's configuration from parsed options. */
export function configFromOptions(options: Options, extra: Partial<RunConfig> = {}): RunConfig {
  const config: RunConfig = {
    specFile: options.spec,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.assetId !== undefined ? { assetId: options.assetId } : {}),
    runs: options.runs,
    seed: options.seed,
    strict: options.strict,
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
    ...(options.rate > 0 ? { rate: options.rate } : {}),
    ...(options.maxRequests > 0 ? { maxRequests: options.maxRequests } : {}),
    ...(options.runTimeoutMs > 0 ? { runTimeoutMs: options.runTimeoutMs } : {}),
    ...(options.createAsset ? { createAsset: true } : {}),
    ...(options.deleteLeftovers ? { deleteLeftovers: true } : {}),
    ...(options.allowUnrestored ? { allowUnrestored: true } : {}),
    ...(options.properties ? { only: options.properties } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...extra,
  };
  config.replayCommand = defaultReplayCommand(config);
  return config;
}

/** What is left to clean when a second interrupt ends the process at once. */
interface Pending {
  snapshot?: { assetId: string; values: Record<string, unknown> };
  created?: string;
}

function pendingText(pending: Pending): string {
  if (pending.created) return `asset ${pending.created} was created by this run and may not be deleted: DELETE /api/assets/${pending.created}`;
  if (pending.snapshot) return `asset ${pending.snapshot.assetId} may not be restored; its values before the run were: ${JSON.stringify(pending.snapshot.values)}`;
  return 'nothing was changed yet';
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --ca file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io = processIo, extra: Partial<RunConfig> = {}): Promise<number> {
  // The key may be in the environment even when options are bad: redact it from the start.
  let redact = makeRedactor([env['CONFORMANCE_API_KEY'] ?? '']);
  const out = (line: string): void => io.out(redact(line));
  const err = (line: string): void => io.err(redact(line));
  try {
    const options = parseOptions(argv, env);
    redact = makeRedactor([options.apiKey ?? '', env['CONFORMANCE_API_KEY'] ?? '']);
    if (options.help) {
      out(usage());
      return 0;
    }
    const contract = loadContract(options.spec);
    if (options.list) {
      out(`Spec: ${options.spec} (${contract.title} ${contract.version}, ${contract.method} ${contract.path})`, );
      out('\nProperties:');
      for (const p of PROPERTIES) out(`  ${p.name.padEnd(18)} ${p.title}`);
      out('\nRequirements:');
      for (const r of REQUIREMENTS) out(`  ${r.id.padEnd(28)} ${r.level.padEnd(6)} ${r.title}`);
      return 0;
    }
    if (options.assetId !== undefined) {
      const errors = (await import('../schemas/compile.ts')).compileValidators(contract).pathParam(options.assetId);
      if (errors.length > 0) throw new UsageError(`--asset-id "${options.assetId}" is not a valid ${contract.pathParam.name} for this spec (${errors.map((e) => e.message.replace('(root) ', '')).join('; ')})`);
    }
    if (options.baseUrl !== undefined && contract.auth && options.apiKey === undefined) {
      throw new UsageError(`the spec requires ${contract.auth.header}: give the key in CONFORMANCE_API_KEY (or --api-key)`);
    }
    const pending: Pending = {};
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      interrupts++;
      if (interrupts === 1) {
        err(`\n${signal}: stopping; the asset is being ${pending.created ? 'deleted' : 'restored'} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to exit at once)`);
        controller.abort(signal);
        return;
      }
      err(`${signal} again: exiting now. ${pendingText(pending)}`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    if (extra.signal === undefined) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    const config = configFromOptions(options, {
      signal: controller.signal,
      ...(options.ca ? { ca: readCa(options.ca) } : {}),
      ...extra,
      onEvent: (event) => {
        if (event.type === 'preflight') {
          err(`target ${options.baseUrl ?? `${event.baseUrl} (embedded reference server)`}, asset ${pending.created ?? options.assetId ?? '(seeded)'}${event.hasGet ? ', GET available' : ', no GET'}`);
        } else if (event.type === 'snapshot') {
          pending.snapshot = { assetId: event.assetId, values: event.values };
        } else if (event.type === 'created') {
          pending.created = event.id;
          err(`created asset ${event.id} for this run (deleted at the end)`);
        } else if (event.type === 'leftovers') {
          err(`found ${event.leftovers.length} asset(s) left by earlier runs: ${event.leftovers.map((l) => `${l.id} (${l.tags.find((t) => t.startsWith('conformance-run-'))})`).join(', ')}${event.deleting ? ': deleting them' : ': delete them with --delete-leftovers'}`);
        } else {
          const line = progressLine(event, options.color);
          if (line) err(line);
        }
      },
    });
    err(`comfy-assets-conformance: ${contract.method} ${contract.path} from ${relative(process.cwd(), options.spec) || options.spec}, seed ${options.seed}, ${options.runs} runs per property${options.strict ? ', strict' : ''}`);
    try {
      const report = await runConformance(config, contract);
      const files = writeReports(options.reportDir, report, redact);
      out(renderSummary(report, files.length > 0 ? options.reportDir : null, options.color));
      if (controller.signal.aborted) return controller.signal.reason === 'SIGTERM' ? 143 : 130;
      return report.exitCode;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SpecError || error instanceof RunError) {
      err(`conformance: ${error.message}`);
      return 2;
    }
    err(`conformance: internal error, the run could not be made: ${error instanceof Error ? error.message : String(error)}`);
    if (env['CONFORMANCE_DEBUG']) err(String((error as Error).stack));
    return 2;
  }
}
