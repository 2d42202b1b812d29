/** From parsed options to the configuration of a run. */
import { PROPERTY_NAMES } from '../properties/names.ts';
import { defaultReplayCommand, type RunConfig } from '../runner/run.ts';
import { FETCH_OPTION, type Options } from './options.ts';

/** The properties to run: --property, and this shard's share of them (every n-th, from i). */
function shardProperties(options: Options): string[] | undefined {
  if (!options.shard) return options.properties;
  const [i, n] = options.shard;
  return PROPERTY_NAMES.filter(
    (name, index) => index % n === i - 1 && (!options.properties || options.properties.includes(name)),
  );
}

/** Builds the run's configuration from parsed options. */
export function configFromOptions(options: Options, extra: Partial<RunConfig> = {}): RunConfig {
  const only = shardProperties(options);
  const config: RunConfig = {
    specFile: options.spec,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.handler !== undefined && options.handler !== FETCH_OPTION ? { handlerSource: options.handler } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.assetId !== undefined ? { assetId: options.assetId } : {}),
    runs: options.runs,
    seed: options.seed,
    strict: options.strict,
    ...(options.requireCoverage ? { requireCoverage: true } : {}),
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
    ...(options.rate > 0 ? { rate: options.rate } : {}),
    ...(options.maxRequests > 0 ? { maxRequests: options.maxRequests } : {}),
    ...(options.budget > 0 ? { budgetMs: options.budget * 1000 } : {}),
    ...(options.runTimeoutMs > 0 ? { runTimeoutMs: options.runTimeoutMs } : {}),
    ...(options.createAsset > 0 ? { createAsset: options.createAsset } : {}),
    ...(options.deleteLeftovers ? { deleteLeftovers: true } : {}),
    ...(options.allowUnrestored ? { allowUnrestored: true } : {}),
    ...(only ? { only } : {}),
    ...(options.shard ? { shard: `${options.shard[0]}/${options.shard[1]}` } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.startFrom !== undefined ? { startFrom: options.startFrom } : {}),
    counterexamples: options.counterexamples,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.uploadFields ? { uploadFields: options.uploadFields } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
    ...(options.profile !== 'server' ? { profile: options.profile } : {}),
    ...(options.compareWith !== undefined
      ? {
          compareWith: {
            ...(options.compareWith !== 'embedded' ? { baseUrl: options.compareWith } : {}),
            ...(options.compareApiKey !== undefined ? { apiKey: options.compareApiKey } : {}),
            ...(options.compareAssetId !== undefined ? { assetId: options.compareAssetId } : {}),
            ...(options.fidelity ? { failOn: options.fidelity } : {}),
          },
        }
      : {}),
    ...extra,
  };
  config.replayCommand = defaultReplayCommand(config);
  return config;
}
