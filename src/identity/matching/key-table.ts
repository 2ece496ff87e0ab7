/**
 * Numbers keys made of one or more strings in the order they are first seen, as a `Map` of the keys
 * joined into one string would, without building that string: an open-addressing table of numbers, hashed
 * from the key's values, each found key checked value by value against the values it was first seen
 * with. At a million records a `Map` of up to a million keys (or a `Set` of joined strings) costs about a
 * second to grow and fill; this costs a fraction of that. Two keys are the same exactly when each of their
 * values is.
 */
export class KeyTable {
  /** Keys seen so far. */
  size = 0;
  private slots: Int32Array;
  private hashes: Int32Array;
  /** The values of key k at [k * width, (k + 1) * width). */
  private readonly values: string[] = [];

  constructor(
    private readonly width: number,
    expected = 1024,
  ) {
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(-1);
    this.hashes = new Int32Array(Math.max(16, expected));
  }

  /** The number of the key held in `key[0]` .. `key[width - 1]`, numbering it if it is new. */
  id(key: readonly string[]): number {
    const width = this.width;
    let h = 0x811c9dc5;
    for (let p = 0; p < width; p++) {
      const v = key[p];
      for (let c = 0; c < v.length; c++) h = Math.imul(h ^ v.charCodeAt(c), 0x01000193);
      h = Math.imul(h ^ 0x1f, 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot];
      if (k < 0) {
        const id = this.size++;
        this.slots[slot] = id;
        if (id === this.hashes.length) {
          const grown = new Int32Array(2 * id);
          grown.set(this.hashes);
          this.hashes = grown;
        }
        this.hashes[id] = h;
        for (let p = 0; p < width; p++) this.values.push(key[p]);
        if (2 * this.size > this.slots.length) this.grow();
        return id;
      }
      if (this.hashes[k] !== h) continue;
      let same = true;
      for (let p = 0; p < width && same; p++) same = this.values[k * width + p] === key[p];
      if (same) return k;
    }
  }

  private grow(): void {
    const slots = new Int32Array(2 * this.slots.length).fill(-1);
    const mask = slots.length - 1;
    for (let k = 0; k < this.size; k++) {
      let slot = this.hashes[k] & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = k;
    }
    this.slots = slots;
  }
}
