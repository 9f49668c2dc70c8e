/**
 * The plan's notes, in the order they arise, with notes of one kind about one place gathered into
 * one: the relations of a model allowed both ways for the same reason, the clients that may reach
 * one server on any port. An estate whose status names no interfaces would otherwise get a note
 * per relation (Sunbeam's 26 applications: 39 of them; the bench estate: thousands).
 */
interface Group {
  items: string[]
  render: (items: readonly string[]) => string
}

export class PlanNotes {
  private readonly entries: (string | Group)[] = []
  private readonly groups = new Map<string, Group>()
  private readonly texts = new Set<string>()

  push(...texts: string[]): void {
    for (const text of texts) {
      this.entries.push(text)
      this.texts.add(text)
    }
  }

  includes(text: string): boolean {
    return this.texts.has(text)
  }

  /** Adds `item` to the note of `key`, which `render` writes from all its items; it sits where its first item arose. */
  gather(key: string, item: string, render: (items: readonly string[]) => string): void {
    let group = this.groups.get(key)
    if (!group) {
      group = {items: [], render}
      this.groups.set(key, group)
      this.entries.push(group)
    }
    if (!group.items.includes(item)) group.items.push(item)
  }

  list(): string[] {
    return this.entries.map((entry) => (typeof entry === 'string' ? entry : entry.render(entry.items)))
  }
}
