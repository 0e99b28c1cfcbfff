// Package store opens the platform database (SQLite by default, PostgreSQL for scale-out), applies
// the embedded migrations and runs transactions. Domain packages keep their own SQL in *_store.go
// files and take a Querier, so the same function runs inside or outside a transaction.
//
// SQL is written once with $1-style placeholders, which both modernc.org/sqlite and pgx accept.
// Times are stored as BIGINT Unix microseconds in both dialects: comparisons, indexes and retention
// sweeps behave the same everywhere and no driver-specific time parsing is involved.
package store
