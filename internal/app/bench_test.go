package app_test

import (
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkHTTP measures authenticated GET /v1/account against GET /healthz (the baseline, in the
// same run) over real loopback connections with 64 concurrent clients, reporting p99 latency.
// The client runs in the same process, so absolute figures are lower than bench/http.sh (wrk).
//
//	go test -run '^$' -bench HTTP -benchtime 5s ./internal/app
func BenchmarkHTTP(b *testing.B) {
	s := startServer(b, onSQLite)
	a := s.newTenant(b)
	for _, bc := range []struct {
		name, path string
		auth       bool
	}{{"healthz", "/healthz", false}, {"account", "/v1/account", true}} {
		b.Run(bc.name, func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			hc := &http.Client{Transport: tr}
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				local := make([]time.Duration, 0, 1024)
				for pb.Next() {
					req, _ := http.NewRequest("GET", s.URL+bc.path, nil)
					if bc.auth {
						req.SetBasicAuth(a.SID, a.Token)
					}
					start := time.Now()
					resp, err := hc.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
					local = append(local, time.Since(start))
				}
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			})
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			}
			tr.CloseIdleConnections()
		})
	}
}
