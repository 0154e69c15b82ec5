import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { splitCommandLine, toRoleRelativePath } from '../command-line.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

const SCRIPT = /\.(js|mjs|cjs)$/i;

/**
 * Each role runs a program entry point that Azure marks ready as soon as it starts: a Node process
 * cannot report readiness through the .NET role runtime, so with setReadyOnProcessStart="false" the
 * instance would stay Busy forever. The script it runs is checked only after a build (`checkBuild`),
 * since `npm run build` is what produces it; the program (node\node.exe) is bundled by packaging.
 */
export const entryPointRunsTheBuiltServer: Rule = ({ model, checkBuild }) => {
  const { definition, root } = model;
  const { file } = definition;
  const problems: Problem[] = [];

  for (const role of definition.roles) {
    if (!role.name) continue;
    const entryPoint = role.entryPoint;
    if (!entryPoint) {
      problems.push({
        file,
        line: role.runtimeLine ?? role.line,
        message: `role ${role.name} has no <Runtime><EntryPoint><ProgramEntryPoint>; Azure would have nothing to run`,
      });
      continue;
    }
    if (entryPoint.setReadyOnProcessStart !== 'true') {
      problems.push({
        file,
        line: entryPoint.line,
        message: 'ProgramEntryPoint needs setReadyOnProcessStart="true"; a Node program cannot report Ready itself, so the instance would stay Busy',
      });
    }
    const words = splitCommandLine(entryPoint.commandLine ?? '');
    const script = words.slice(1).find((word) => SCRIPT.test(word));
    if (!script) {
      problems.push({
        file,
        line: entryPoint.line,
        message: `ProgramEntryPoint commandLine ${JSON.stringify(entryPoint.commandLine ?? '')} names no .js script for node to run`,
      });
      continue;
    }
    const target = posix.join(role.name, toRoleRelativePath(script));
    if (checkBuild && !existsSync(join(root, target))) {
      problems.push({
        file,
        line: entryPoint.line,
        message: `entry point target ${target} does not exist; run npm run build first (or pass --no-build-check before a build)`,
      });
    }
  }
  return problems;
};
