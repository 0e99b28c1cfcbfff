package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// BenchmarkInsertRows measures what one row costs the SQLite writer: rows of a small keyed
// table inserted 256 to a transaction, one row per statement and 16 or 64 per statement. It is
// the floor under every write path (docs/PERFORMANCE.md, SMS pipeline): a path's rows times this.
func BenchmarkInsertRows(b *testing.B) {
	for _, per := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("per-statement=%d", per), func(b *testing.B) {
			db := storetest.SQLite(b)
			ctx := context.Background()
			if _, err := db.Write().ExecContext(ctx, `CREATE TABLE bench_rows (id TEXT PRIMARY KEY, a TEXT, b BIGINT, c BIGINT, d TEXT) WITHOUT ROWID`); err != nil {
				b.Fatal(err)
			}
			n := 0
			b.ResetTimer()
			for n < b.N {
				err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
					for j := 0; j < 256; j += per {
						marks := make([]string, per)
						args := make([]any, 0, 5*per)
						for k := range per {
							n++
							args = append(args, fmt.Sprintf("id%012d", n), "hello world", n, 2*n, "x")
							marks[k] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d)", 5*k+1, 5*k+2, 5*k+3, 5*k+4, 5*k+5)
						}
						if _, err := q.ExecContext(ctx, `INSERT INTO bench_rows VALUES `+strings.Join(marks, ", "), args...); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
