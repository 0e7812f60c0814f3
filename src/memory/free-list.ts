/**
 * First-fit free list over a byte range, with coalescing. Allocation counts here are small (tens of
 * columns per book, a few staging buffers), so a sorted array beats anything cleverer.
 */
export class FreeList {
  /** Free blocks as [start, end) pairs, sorted by start and never adjacent (they coalesce). */
  private readonly blocks: Array<[number, number]> = [];

  /** Adds [start, end) to the free space. */
  free(start: number, end: number): void {
    if (end <= start) return;
    const blocks = this.blocks;
    let i = 0;
    while (i < blocks.length && blocks[i][0] < start) i++;
    const prev = blocks[i - 1];
    const next = blocks[i];
    if (prev && prev[1] > start) throw new Error(`double free at ${start}`);
    if (next && next[0] < end) throw new Error(`double free at ${start}`);
    if (prev && prev[1] === start) {
      prev[1] = end;
      if (next && next[0] === end) {
        prev[1] = next[1];
        blocks.splice(i, 1);
      }
    } else if (next && next[0] === end) {
      next[0] = start;
    } else {
      blocks.splice(i, 0, [start, end]);
    }
  }

  /** Takes `size` bytes aligned to `align` from the first block that fits; -1 when none does. */
  take(size: number, align: number): number {
    const blocks = this.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const [start, end] = blocks[i];
      const aligned = alignUp(start, align);
      if (aligned + size > end) continue;
      if (aligned === start) {
        // the usual case (every size is a multiple of the alignment): shrink the block where it is, as the general
        // path below would leave it, without taking it out and putting a new pair back
        if (aligned + size === end) blocks.splice(i, 1);
        else blocks[i][0] = aligned + size;
        return aligned;
      }
      blocks.splice(i, 1);
      this.free(aligned + size, end);
      this.free(start, aligned);
      return aligned;
    }
    return -1;
  }

  /** The free block that ends exactly at `end`, if any: lets a growing arena extend it. */
  takeTail(end: number): number {
    const last = this.blocks[this.blocks.length - 1];
    if (last && last[1] === end) {
      this.blocks.pop();
      return last[0];
    }
    return end;
  }
}

export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
