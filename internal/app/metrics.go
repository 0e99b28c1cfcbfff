package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard/switchboard/internal/sms"
)

// smsCollectors are the SMS series of /metrics, read from the service when scraped: status
// changes by status (this node), each carrier's link and queue (this node) and the outbox backlog
// (the cluster's, from the database).
func (s *Server) smsCollectors() []prometheus.Collector {
	var cs []prometheus.Collector
	for _, st := range sms.Statuses() {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "switchboard_sms_status_changes_total", Help: "SMS messages this node moved to each status.",
			ConstLabels: prometheus.Labels{"status": string(st)},
		}, func() float64 { return float64(s.SMS.StatusChanges(st)) }))
	}
	for _, c := range s.SMS.CarrierStates() {
		name := c.Name
		state := func() sms.CarrierState { st, _ := s.SMS.CarrierState(name); return st }
		labels := prometheus.Labels{"carrier": name}
		cs = append(cs,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_sms_carrier_bound",
				Help: "1 while this node's SMPP link to the carrier is bound.", ConstLabels: labels},
				func() float64 {
					if state().Bound {
						return 1
					}
					return 0
				}),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_sms_carrier_queued",
				Help: "Submits waiting for the carrier's window, rate or link on this node.", ConstLabels: labels},
				func() float64 { return float64(state().Queued) }))
	}
	cs = append(cs,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_sms_backlog",
			Help: "Messages due for submission that no worker has taken (all nodes); -1 when it cannot be read."},
			func() float64 {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				n, err := s.SMS.Backlog(ctx)
				if err != nil {
					return -1
				}
				return float64(n)
			}))
	return cs
}
