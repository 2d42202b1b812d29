/**
 * A run from the command line: interrupts (Ctrl-C restores, twice exits), the run (api/run.ts) or a
 * replay, the terminal's summary and the exit code. Loaded only when a run is asked for, so that
 * --help, --list and --version start without the engine.
 */

import type { Options } from '../api/options.ts';
import { type Pending, reportedRun } from '../api/run.ts';
import type { Contract } from '../contract/load.ts';
import { renderSummary } from '../render/terminal.ts';
import type { Redactor } from '../report/redact.ts';
import type { RunConfig } from '../runner/run.ts';
import { replayFailures } from './replay.ts';

function pendingText(pending: Pending): string {
  const lines = [
    ...pending.created.map(
      (id) => `asset ${id} was created by this run and may not be deleted: DELETE /api/assets/${id}`,
    ),
    ...pending.snapshots.map(
      (s) => `asset ${s.assetId} may not be restored; its values before the run were: ${JSON.stringify(s.values)}`,
    ),
  ];
  return lines.length > 0 ? lines.join('\n') : 'nothing was changed yet';
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
        `\n${signal}: stopping; ${pending.created.length > 0 ? 'what the run created is being deleted' : 'the asset is being restored'} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to exit at once)`,
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

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export async function runCommand(
  options: Options,
  contract: Contract,
  io: Io,
  redact: Redactor,
  extra: Partial<RunConfig>,
): Promise<number> {
  const pending: Pending = { snapshots: [], created: [] };
  const { controller, listen } = interrupts(pending, io.err);
  const stopListening = extra.signal === undefined ? listen() : () => undefined;
  try {
    // a replay says what it replays and each verdict, no header (its seeds are the report's)
    if (options.replay !== undefined) {
      return await replayFailures(
        options.replay,
        options,
        contract,
        { signal: controller.signal, ...extra },
        io.out,
        io.err,
      );
    }
    const { report, files } = await reportedRun(
      options,
      contract,
      io.err,
      redact,
      { signal: controller.signal, ...extra },
      pending,
    );
    io.out(
      renderSummary(report, files.length > 0 ? options.reportDir : null, options.color, options.path !== undefined),
    );
    if (controller.signal.aborted) return controller.signal.reason === 'SIGTERM' ? 143 : 130;
    return report.exitCode;
  } finally {
    stopListening();
  }
}
