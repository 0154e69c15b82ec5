/**
 * One thing Azure (or the role) would reject, located in the file a person has to edit.
 * `file` is relative to the service root, with forward slashes, so messages read the same on every OS.
 */
export interface Problem {
  file: string;
  /** 1-based; absent when the problem is about the file as a whole (it is missing, say). */
  line?: number;
  message: string;
}

/** `file:line: message`, the shape editors and CI logs turn into links. */
export function formatProblem(problem: Problem): string {
  return problem.line === undefined
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}:${problem.line}: ${problem.message}`;
}

/** By file, then line; rules run in a fixed order, so equal positions keep that order. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
}
