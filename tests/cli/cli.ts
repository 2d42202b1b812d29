/**
 * The command line: options -> run -> reports -> exit code. Every line printed goes through the
 * redactor, so the API key never reaches the terminal, whatever the server sends back.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REQUIREMENTS } from '../checks/requirements.ts';
import { PROPERTIES } from '../properties/index.ts';
import { compareHtml, compareMarkdown, mergeReports, readColumn } from '../reports/compare.ts';
import { TODO_REASON, applyExpectations, loadExpectations, updatedExpectations, writeExpectations } from '../reports/expectations.ts';
import { makeRedactor } from '../reports/redact.ts';
import { progressLine, renderSummary } from '../reports/terminal.ts';
import { writeReports } from '../reports/write.ts';
import { RunError } from '../runner/preflight.ts';
import { type RunConfig, defaultReplayCommand, runConformance } from '../runner/run.ts';
import { type Contract, SpecError, loadContract } from '../spec/load.ts';
import { type Options, UsageError, parseOptions, usage } from './options.ts';

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
    ...(shardProperties(options) ? { only: shardProperties(options) as string[] } : {}),
    ...(options.shard ? { shard: `${options.shard[0]}/${options.shard[1]}` } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...extra,
  };
  config.replayCommand = defaultReplayCommand(config);
  return config;
}

/** The properties to run: --property, and this shard's share of them (every n-th, from i). */
export function shardProperties(options: Options): string[] | undefined {
  if (!options.shard) return options.properties;
  const [i, n] = options.shard;
  return PROPERTIES.filter((p, index) => index % n === i - 1 && (!options.properties || options.properties.includes(p.name))).map((p) => p.name);
}

/** `compare` and `merge`: read reports, write tables or a merged report. */
function reportCommand(argv: readonly string[], out: (line: string) => void, redact: (s: string) => string): number {
  const [command, ...rest] = argv;
  const flag = command === 'compare' ? '--out' : '--report-dir';
  const at = rest.indexOf(flag);
  const dir = at >= 0 ? rest[at + 1] : command === 'compare' ? 'conformance-report/compare' : 'conformance-report';
  if (at >= 0 && dir === undefined) throw new UsageError(`${flag} needs a directory`);
  const files = rest.filter((_, i) => i !== at && i !== at + 1);
  const unknown = files.find((f) => f.startsWith('--'));
  if (unknown) throw new UsageError(`${command}: unknown option ${unknown} (only ${flag})`);
  if (files.length === 0) throw new UsageError(`${command} needs report.json files: npm run conformance -- ${command} A/report.json B/report.json`);
  const columns = files.map(readColumn);
  mkdirSync(dir as string, { recursive: true });
  if (command === 'compare') {
    const md = compareMarkdown(columns);
    writeFileSync(join(dir as string, 'compare.md'), md);
    writeFileSync(join(dir as string, 'compare.html'), compareHtml(columns));
    out(md);
    out(`written: ${dir}/compare.md, compare.html`);
    return 0;
  }
  const merged = mergeReports(columns.map((c) => c.report));
  writeReports(dir as string, merged, redact);
  out(renderSummary(merged, dir as string, false));
  return merged.exitCode;
}

/** --replay: every failure of a report, run again from its seed and path. */
async function replayFailures(file: string, options: Options, contract: Contract, extra: Partial<RunConfig>, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { report } = readColumn(file);
  const failures = report.requirements.filter((r) => r.counterexample && PROPERTIES.some((p) => p.name === r.counterexample?.property));
  if (failures.length === 0) {
    out(`${file}: no failure to replay`);
    return 0;
  }
  let reproduced = 0;
  for (const r of failures) {
    const cx = r.counterexample as NonNullable<typeof r.counterexample>;
    err(`replaying ${r.id}: property ${cx.property}, seed ${cx.seed}, path ${cx.path}`);
    const again = await runConformance(configFromOptions({ ...options, properties: [cx.property], seed: cx.seed, runs: report.runs, path: cx.path }, extra), contract);
    const now = again.requirements.find((x) => x.id === r.id);
    const still = now?.status === 'fail';
    if (still) reproduced++;
    out(`${still ? 'REPRODUCED' : 'not reproduced'}  ${r.id} (${r.level})${still ? `: ${now?.counterexample?.violated.find((v) => v.requirement === r.id)?.message ?? ''}` : ''}`);
  }
  out(`${reproduced} of ${failures.length} failure(s) reproduced`);
  return reproduced > 0 ? 1 : 0;
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
    if (argv[0] === 'compare' || argv[0] === 'merge') return reportCommand(argv, out, redact);
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
      if (options.replay !== undefined) return await replayFailures(options.replay, options, contract, { signal: controller.signal, ...extra }, out, err);
      const known = options.expectations !== undefined ? loadExpectations(options.expectations, options.updateExpectations) : null;
      let report = await runConformance(config, contract);
      if (options.expectations !== undefined && known) {
        if (options.updateExpectations) {
          const next = updatedExpectations(report, known);
          writeExpectations(options.expectations, next, report);
          const todo = Object.values(next.requirements).filter((e) => e?.reason === TODO_REASON).length;
          err(`wrote ${options.expectations}: ${Object.keys(next.requirements).length} known failure(s)${todo ? `, ${todo} with a TODO reason to fill in` : ''}`);
          report = applyExpectations(report, next, options.expectations);
        } else report = applyExpectations(report, known, options.expectations);
      }
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
