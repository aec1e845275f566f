import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { migrate, migrations } from './migrations.js'
import { testBackends } from './test/backends.js'

describe.each(testBackends())('migrations on $name', (backend) => {
  let database: Database
  beforeAll(async () => {
    database = await backend.open()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('apply each version once, so a restart changes nothing', async () => {
    expect(await migrate(database)).toEqual([])
    const rows = await database.query<{ version: number }>(
      'select version from driftless_schema_migrations order by version',
    )
    expect(rows.map((row) => Number(row.version))).toEqual(migrations.map((step) => step.version))
  })

  it('apply new versions in order, in one transaction with the bookkeeping', async () => {
    const next = migrations.length + 1
    const steps = [
      ...migrations,
      { version: next + 1, name: 'second', sql: 'alter table driftless_probe add column b int' },
      { version: next, name: 'first', sql: 'create table driftless_probe (a int)' },
    ]
    expect(await migrate(database, steps)).toEqual([next, next + 1])
    await database.query('insert into driftless_probe (a, b) values (1, 2)')
  })

  it('refuse to run against a schema newer than the server', async () => {
    await database.query(
      "insert into driftless_schema_migrations (version, name) values (999, 'from the future')",
    )
    await expect(migrate(database, migrations)).rejects.toThrow(/newer than this server knows/)
  })
})
