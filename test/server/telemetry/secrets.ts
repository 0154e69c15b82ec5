/** The keys inside a connection string (AccountKey, SharedAccessSignature), each a secret on its own. */
export function connectionStringKeys(connectionString: string): string[] {
  return connectionString
    .split(';')
    .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)] as const)
    .filter(([name, value]) => /key|signature/i.test(name) && value.length > 0)
    .map(([, value]) => value);
}

/** Each needle found in any of the bodies, with where: empty when nothing leaked. */
export function leaks(bodies: Array<{ path: string; body: Buffer }>, needles: string[]): string[] {
  const found: string[] = [];
  for (const { path, body } of bodies) {
    const text = body.toString('latin1');
    for (const needle of needles) if (text.includes(needle)) found.push(`${JSON.stringify(needle)} in ${path}`);
  }
  return found;
}
