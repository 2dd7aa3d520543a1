// @arethetypeswrong on a tarball: do the types resolve, and match the JavaScript, for every
// entry point and every module resolution a user may have? Same engine as `npx attw`.
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemKindInfo } from '@arethetypeswrong/core/problems';

/**
 * What `attw --profile node16 --ignore-rules cjs-resolves-to-esm` reports, as one line per
 * problem. node10 resolution is not checked: it cannot read `exports`, and the packages need
 * Node 20.19 anyway. "ESM (dynamic import only)" from CommonJS is not a problem here: Node
 * 20.19+ require()s ES modules and TypeScript allows it under module nodenext/node20, which the
 * pack check's CommonJS scratch project proves by compiling and running the snippets.
 */
export async function checkTypes(name, tarball) {
  const analysis = await checkPackage(createPackageFromTarballData(tarball));
  if (!analysis.types) return { name, problems: [`${name}: attw finds no types in the package`] };
  const problems = analysis.problems
    .filter((problem) => problem.kind !== 'CJSResolvesToESM')
    .filter((problem) => !('resolutionKind' in problem) || problem.resolutionKind !== 'node10')
    .map((problem) => {
      const { kind, ...about } = problem; // entrypoint, resolutionKind, or the files involved
      const where = Object.values(about)
        .filter((value) => typeof value === 'string')
        .join(', ');
      const info = problemKindInfo[kind];
      return `${name}: attw ${info.emoji} ${info.title}${where ? ` (${where})` : ''}: ${info.docsUrl}`;
    });
  return { name, problems };
}
