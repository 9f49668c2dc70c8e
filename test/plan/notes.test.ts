/**
 * Plan notes of one kind about one place are gathered into one note (src/plan/notes.ts): on the
 * Sunbeam control plane's status (Juju 3.2 names no interfaces, test/real-world-reconcile/sunbeam/)
 * a note per relation made 85 notes; gathered, a reader sees each kind once.
 */
import {describe, expect, it} from 'vitest'

import {PlanNotes} from '../../src/plan/notes.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

describe('PlanNotes', () => {
  it('keeps plain notes in order and puts a gathered note where its first item arose, written from all its items', () => {
    const notes = new PlanNotes()
    notes.push('first')
    const render = (items: readonly string[]) => (items.length === 1 ? `one: ${items[0]}` : `${items.length}: ${items.join(', ')}`)
    notes.gather('k', 'a', render)
    notes.push('second')
    notes.gather('k', 'b', render)
    notes.gather('k', 'b', render)
    notes.gather('other', 'x', render)
    expect(notes.list()).toEqual(['first', '2: a, b', 'second', 'one: x'])
    expect(notes.includes('second')).toBe(true)
  })
})

describe('reconcile --dry-run on a status without interface names', () => {
  it('gathers the relations allowed both ways into one note per model and reason, and the clients of a server without ports into one note per server', async () => {
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', 'test/real-world-reconcile/sunbeam/estate', '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    const {notes} = JSON.parse(result.stdout) as ReconcilePlan
    const bothWays = notes.filter((note) => note.includes('allowed both ways'))
    expect(bothWays).toHaveLength(1)
    expect(bothWays[0]).toMatch(/^model openstack: 39 relations allowed both ways \(neither charm metadata nor the interface table says which side of this relation provides\): barbican-mysql-router:backend-database ↔ mysql:database; /)
    expect(bothWays[0]).toContain('; placement:database ↔ placement-mysql-router:database')
    const mysql = notes.filter((note) => note.startsWith('openstack/mysql: no Service ports'))
    expect(mysql).toHaveLength(1)
    expect(mysql[0]).toMatch(/^openstack\/mysql: no Service ports besides Juju's placeholder; 11 clients may reach it on any port: barbican-mysql-router \(relation barbican-mysql-router:backend-database ↔ mysql:database\); /)
    expect(notes.length).toBeLessThan(30)

    const text = await runCliInWorker(['reconcile', '--dry-run', '--from', 'test/real-world-reconcile/sunbeam/estate'])
    expect(text.stdout).toContain('  - model openstack: 39 relations allowed both ways')
    expect(text.stdout).not.toContain('more notes: --format json lists every one')
  }, 60_000)
})
