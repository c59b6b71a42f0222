#!/bin/sh
# Stands in for Prisma's native schema engine, which `prisma generate` only looks up.
# Newsdesk runs migrations through Prisma's WebAssembly schema engine (src/db/migrations.ts).
echo "this project runs migrations through the WebAssembly schema engine: use npm run db:migrate" >&2
exit 1
