/**
 * A binary min-heap of (deadline, slot, generation) in typed arrays: one structure for
 * every deadline of the memory backend, 16 bytes an entry, no object per entry.
 */
export class DeadlineHeap {
  private deadlines = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private generations = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The earliest deadline, or Infinity when empty. */
  peek(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.deadlines[0]!;
  }

  push(deadline: number, slot: number, generation: number): void {
    if (this.count === this.deadlines.length) this.grow();
    let index = this.count++;
    // Sift up: move parents down until the new deadline's place is found.
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.deadlines[parent]! <= deadline) break;
      this.move(parent, index);
      index = parent;
    }
    this.deadlines[index] = deadline;
    this.slots[index] = slot;
    this.generations[index] = generation;
  }

  /** Removes the earliest entry into `out` (reused to avoid an allocation per pop). */
  pop(out: { deadline: number; slot: number; generation: number }): void {
    out.deadline = this.deadlines[0]!;
    out.slot = this.slots[0]!;
    out.generation = this.generations[0]!;
    const last = --this.count;
    if (last === 0) return;
    const deadline = this.deadlines[last]!;
    const slot = this.slots[last]!;
    const generation = this.generations[last]!;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= last) break;
      if (child + 1 < last && this.deadlines[child + 1]! < this.deadlines[child]!) child++;
      if (this.deadlines[child]! >= deadline) break;
      this.move(child, index);
      index = child;
    }
    this.deadlines[index] = deadline;
    this.slots[index] = slot;
    this.generations[index] = generation;
  }

  clear(): void {
    this.count = 0;
    this.deadlines = new Float64Array(1024);
    this.slots = new Int32Array(1024);
    this.generations = new Uint32Array(1024);
  }

  private move(from: number, to: number): void {
    this.deadlines[to] = this.deadlines[from]!;
    this.slots[to] = this.slots[from]!;
    this.generations[to] = this.generations[from]!;
  }

  private grow(): void {
    const capacity = this.deadlines.length * 2;
    const deadlines = new Float64Array(capacity);
    deadlines.set(this.deadlines);
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    const generations = new Uint32Array(capacity);
    generations.set(this.generations);
    this.deadlines = deadlines;
    this.slots = slots;
    this.generations = generations;
  }
}
