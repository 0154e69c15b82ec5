import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { splitCommandLine, toRoleRelativePath } from '../command-line.js';
import type { Problem } from '../problem.js';
import type { Rule } from '../rule.js';

const BATCH_FILE = /\.(cmd|bat)$/i;

/**
 * Each startup task's batch file ships in the role folder (the task runs from the approot) and is
 * plain ASCII with no byte-order mark and CRLF line ends: Windows silently fails to run a startup
 * .cmd saved as UTF-8 with a BOM, and cmd.exe misreads labels in LF-only files. Every other batch
 * file in the same folders is held to the same bytes, since the tasks call them.
 */
export const startupScriptsShipAsAscii: Rule = ({ model }) => {
  const { definition, root } = model;
  const problems: Problem[] = [];
  const scripts = new Set<string>();

  for (const role of definition.roles) {
    if (!role.name) continue;
    for (const task of role.startupTasks) {
      if (!task.commandLine?.trim()) {
        problems.push({ file: definition.file, line: task.line, message: `startup <Task> in role ${role.name} has no commandLine` });
        continue;
      }
      const program = splitCommandLine(task.commandLine)[0] ?? '';
      if (!BATCH_FILE.test(program)) continue;
      const script = posix.join(role.name, toRoleRelativePath(program));
      if (existsSync(join(root, script))) {
        scripts.add(script);
        for (const sibling of batchFilesBeside(root, script)) scripts.add(sibling);
      } else {
        problems.push({
          file: definition.file,
          line: task.line,
          message: `startup task ${program} is not in the role folder: ${script} does not exist`,
        });
      }
    }
  }
  for (const script of [...scripts].sort()) problems.push(...checkScriptBytes(script, readFileSync(join(root, script))));
  return problems;
};

function batchFilesBeside(root: string, script: string): string[] {
  const folder = posix.dirname(script);
  return readdirSync(join(root, folder))
    .filter((name) => BATCH_FILE.test(name))
    .map((name) => posix.join(folder, name));
}

/** The first byte-order mark, non-ASCII byte and bare LF in `bytes`, each at its line. */
export function checkScriptBytes(file: string, bytes: Uint8Array): Problem[] {
  const problems: Problem[] = [];
  const bom = byteOrderMark(bytes);
  if (bom) {
    problems.push({ file, line: 1, message: `starts with a ${bom} byte-order mark; startup scripts must be ASCII with no BOM or Windows does not run them` });
    return problems;
  }
  const nonAscii = bytes.findIndex((byte) => byte > 0x7f);
  if (nonAscii >= 0) {
    const hex = (bytes[nonAscii] ?? 0).toString(16).toUpperCase();
    problems.push({ file, line: lineAt(bytes, nonAscii), message: `non-ASCII byte 0x${hex}; startup scripts must be plain ASCII` });
  }
  const bareLineFeed = bytes.findIndex((byte, index) => byte === 0x0a && bytes[index - 1] !== 0x0d);
  if (bareLineFeed >= 0) {
    problems.push({
      file,
      line: lineAt(bytes, bareLineFeed),
      message: 'line ends in LF only; startup scripts need CRLF (cmd.exe misreads labels and GOTO targets otherwise)',
    });
  }
  return problems;
}

function byteOrderMark(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'UTF-8';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'UTF-16';
  return undefined;
}

/** 1-based line of the byte at `index`. */
function lineAt(bytes: Uint8Array, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i += 1) if (bytes[i] === 0x0a) line += 1;
  return line;
}

