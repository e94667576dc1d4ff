// Sequence sets (`1:3,7,9:*`, RFC 3501 §9 sequence-set) resolved against the session's view,
// and the compact form used in COPYUID / APPENDUID responses.

export type SeqRange = [number, number];

/** the largest `number` / `nz-number` / `uniqueid` of the grammar: unsigned 32 bits (RFC 3501 §9) */
export const MAX_NUMBER = 4_294_967_295;

/** parses a set; `*` is given as `star` (the largest number in use). Null when malformed. */
export function parseSequenceSet(text: string, star: number): SeqRange[] | null {
  if (!/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(text)) return null;
  const ranges: SeqRange[] = [];
  for (const piece of text.split(',')) {
    const [a, b = a] = piece.split(':').map((v) => (v === '*' ? star : Number(v)));
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a > MAX_NUMBER || b > MAX_NUMBER) return null;
    // 0 is not a valid message number or UID (but `*` in an empty mailbox is 0)
    if ((a === 0 && piece.split(':')[0] !== '*') || (b === 0 && (piece.split(':')[1] ?? piece) !== '*')) return null;
    ranges.push(a <= b ? [a, b] : [b, a]);
  }
  return ranges;
}

/** ascending numbers → `1:3,5` */
export function compactSet(numbers: number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    out.push(j === i ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
