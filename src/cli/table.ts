/** Plain-text tables for the CLI's list commands. */

/** Formats rows under a header, columns padded to their widest cell; `right` marks columns aligned right (numbers). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      header
        .map((_, i) => {
          const cell = row[i] ?? '';
          return right.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
        })
        .join('  ')
        // The last column is padded too when left-aligned; no line ends in spaces.
        .trimEnd(),
    )
    .join('\n');
}
