package ledger

// BulkOps reports how many operations b's bulk path completed (bulk.go), so the package's
// external tests can check that they exercise it.
func BulkOps(b *Batcher) int64 { return b.stats.bulk.Load() }
