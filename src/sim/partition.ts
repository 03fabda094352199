/** Which links a partition cuts: a group per node; links between groups are cut. */
export class Partition {
  private groupOf: Int32Array | undefined
  private restGroup = 0

  /**
   * Cuts every link between nodes of different groups; nodes in no group
   * (including nodes added later) form one more group together.
   */
  split(groups: readonly (readonly number[])[], nodeCount: number): void {
    const groupOf = new Int32Array(nodeCount).fill(groups.length)
    for (const [g, members] of groups.entries()) {
      for (const i of members) {
        if (!Number.isInteger(i) || i < 0 || i >= nodeCount) throw new RangeError(`no simulated node ${i}`)
        if (groupOf[i] !== groups.length) throw new RangeError(`node ${i} is in two groups`)
        groupOf[i] = g
      }
    }
    this.groupOf = groupOf
    this.restGroup = groups.length
  }

  heal(): void {
    this.groupOf = undefined
  }

  isCut(a: number, b: number): boolean {
    const g = this.groupOf
    if (g === undefined) return false
    return (g[a] ?? this.restGroup) !== (g[b] ?? this.restGroup)
  }
}
