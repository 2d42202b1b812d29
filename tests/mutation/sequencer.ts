import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Orders a mutant's test files so that a killed mutant stops early: the file that failed last first
 * (the mutant next door is often killed by the same file), then the quickest files by their last
 * duration. Vitest's own order runs the longest files first, which is right for a whole run and
 * wrong under Stryker's bail, where most runs end at their first failure.
 */
export class QuickFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const results = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`);
    const failed = (spec: TestSpecification) => (results(spec)?.failed ? 0 : 1);
    const duration = (spec: TestSpecification) => results(spec)?.duration ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => failed(a) - failed(b) || duration(a) - duration(b));
  }
}
