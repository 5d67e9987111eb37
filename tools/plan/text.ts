/** Rows as aligned columns two spaces apart; the columns in `alignRight` (amounts) line up on their right edge. */
export function table(rows: readonly (readonly string[])[], alignRight: readonly number[] = []): string {
    const widths = rows[0].map((_, col) => Math.max(...rows.map(r => r[col].length)));
    return rows.map(r => r.map((cell, col) => (alignRight.includes(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col])))
        .join("  ").trimEnd()).join("\n");
}
