/** Prints benchmark figures as aligned "label  value" lines. */
export function report(label: string, value: string): void {
  console.log(`  ${label.padEnd(58)} ${value}`);
}

export function perSecond(count: number, elapsedNs: bigint): number {
  return count / (Number(elapsedNs) / 1e9);
}

export function formatRate(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US')} /s`;
}

export function formatBytes(bytes: number): string {
  return `${Math.round(bytes).toLocaleString('en-US')} B`;
}
