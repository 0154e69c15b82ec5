import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import type { Problem } from './problem.js';

export type XmlParseResult = { root: Element; problems: [] } | { root: undefined; problems: Problem[] };

/**
 * Parses `text` with a real XML parser, keeping each element's line. The first thing the parser
 * reports (warnings included: xmldom reports some well-formedness errors, such as an unquoted
 * attribute value, only as warnings) becomes one problem at the parser's line; what follows an XML
 * error is usually a consequence of it, so parsing stops there.
 */
export function parseXml(file: string, text: string): XmlParseResult {
  let firstReport: { message: string; line: number } | undefined;
  const parser = new DOMParser({
    locator: true,
    onError(_level, message, context: { locator?: { lineNumber?: number; columnNumber?: number } } | undefined) {
      firstReport ??= { message, line: reportedLine(text, context?.locator?.lineNumber, context?.locator?.columnNumber) };
      // Throwing is how xmldom is told to stop; it rethrows this wrapped in a ParseError.
      throw new Error(message);
    },
  });
  try {
    // A UTF-8 byte-order mark is legal before the XML declaration; xmldom would call it text.
    const root = parser.parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml').documentElement;
    if (root) return { root, problems: [] };
    return notWellFormed(file, 1, 'no root element');
  } catch (error) {
    if (!firstReport) throw error;
    return notWellFormed(file, firstReport.line, firstReport.message);
  }
}

/**
 * xmldom locates an error where the parser stood, which for a bad closing tag is the end of the
 * text before it, often the previous line. The offending markup is the next non-blank character.
 */
function reportedLine(text: string, line: number | undefined, column: number | undefined): number {
  if (line === undefined || line < 1) return 1;
  if (column === undefined) return line;
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = line - 1, from = column - 1; index < lines.length; index += 1, from = 0) {
    if (/\S/.test((lines[index] ?? '').slice(Math.max(0, from)))) return index + 1;
  }
  return line;
}

function notWellFormed(file: string, line: number, report: string): XmlParseResult {
  return { root: undefined, problems: [{ file, line: Math.max(1, line), message: `not well-formed XML: ${report}` }] };
}

/** The line an element starts on (its `<`), 1-based. */
export function lineOf(node: Node): number {
  return Math.max(1, node.lineNumber ?? 1);
}

/** Child elements named `localName` in the parent's own namespace, in document order. */
export function childElements(parent: Element, localName: string): Element[] {
  const children: Element[] = [];
  for (let index = 0; index < parent.childNodes.length; index += 1) {
    const child = parent.childNodes.item(index);
    if (child && isElement(child) && child.localName === localName && child.namespaceURI === parent.namespaceURI) {
      children.push(child);
    }
  }
  return children;
}

export function childElement(parent: Element, localName: string): Element | undefined {
  return childElements(parent, localName)[0];
}

/** Follows a path of child names (`Runtime`, `EntryPoint`, ...) and returns the first match. */
export function descendant(parent: Element, ...path: string[]): Element | undefined {
  let current: Element | undefined = parent;
  for (const name of path) current = current && childElement(current, name);
  return current;
}

/** The attribute's value, or undefined when it is absent (an empty value stays ''). */
export function attribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? '') : undefined;
}

function isElement(node: Node): node is Element {
  return node.nodeType === node.ELEMENT_NODE;
}
