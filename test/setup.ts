// Runs once before the test files (tap's `before`): migrates the template database that every
// test file clones on a PostgreSQL server. PostgreSQL refuses to clone a template while a client
// is connected to it, so this disconnects before the test files start.
import pg from 'pg'
import { openDatabase } from '../src/db/database.js'
import { applyMigrations } from '../src/db/migrations.js'
import { serverUrl, templateName, withDatabase } from './db-url.js'

if (serverUrl) {
  const template = templateName(serverUrl)
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`)
    await admin.query(`CREATE DATABASE "${template}"`)
  } finally {
    await admin.end()
  }
  const db = await openDatabase({ kind: 'server', url: withDatabase(serverUrl, template), poolMax: 1 })
  try {
    await applyMigrations(db.adapterFactory)
  } finally {
    await db.close()
  }
}
