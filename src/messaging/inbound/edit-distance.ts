/**
 * Counts the insertions, deletions, substitutions and swaps of two adjacent characters that turn
 * `a` into `b` (optimal string alignment distance), so `YSE` is 1 from `YES`, not 2.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const columns = b.length + 1
  // distance[i][j] is the distance between the first i characters of a and the first j of b.
  const distance = Array.from({ length: rows }, () => new Array<number>(columns).fill(0))
  for (let i = 0; i < rows; i++) distance[i]![0] = i
  for (let j = 0; j < columns; j++) distance[0]![j] = j

  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        distance[i - 1]![j]! + 1,
        distance[i]![j - 1]! + 1,
        distance[i - 1]![j - 1]! + cost,
      )

      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
      if (swapped) best = Math.min(best, distance[i - 2]![j - 2]! + 1)

      distance[i]![j] = best
    }
  }
  return distance[a.length]![b.length]!
}
