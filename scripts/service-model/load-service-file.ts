import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import type { Problem } from './problem.js';
import { lineOf, parseXml } from './xml-document.js';

export type LoadedServiceFile = { root: Element; problems: [] } | { root: undefined; problems: Problem[] };

/**
 * Reads `file` (relative to `serviceRoot`) and returns its root element when the file exists, is
 * well-formed XML and its root is `<rootName>` in `namespace`. Azure and cspack match elements by
 * namespace, so a csdef without the right xmlns is as good as empty to them.
 */
export function loadServiceFile(
  serviceRoot: string,
  file: string,
  rootName: string,
  namespace: string,
): LoadedServiceFile {
  const path = join(serviceRoot, file);
  if (!existsSync(path)) return { root: undefined, problems: [{ file, message: `missing: expected it in ${serviceRoot}` }] };
  const parsed = parseXml(file, readFileSync(path, 'utf8'));
  if (!parsed.root) return parsed;

  const { root } = parsed;
  if (root.localName !== rootName) {
    return fail(file, lineOf(root), `root element is <${root.localName}>, expected <${rootName}>`);
  }
  if (root.namespaceURI !== namespace) {
    const actual = root.namespaceURI ? `namespace ${root.namespaceURI}` : 'no namespace';
    return fail(file, lineOf(root), `<${rootName}> has ${actual}, expected xmlns="${namespace}"`);
  }
  return { root, problems: [] };
}

function fail(file: string, line: number, message: string): LoadedServiceFile {
  return { root: undefined, problems: [{ file, line, message }] };
}
