package webhooks

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// UserAgent identifies our deliveries to receivers.
const UserAgent = "Switchboard-Webhooks/1"

// drainBytes is how much of an answer beyond the logged part is read to keep the connection for
// the next delivery; a longer answer costs a new connection instead.
const drainBytes = 64 << 10

// job is a claimed delivery with what sending it needs.
type job struct {
	d       Delivery
	token   string   // the lease token of the claim
	dest    string   // the destination it counts against in its dispatcher's shares
	url     string   // where to send: the endpoint's URL or the callback's
	secrets []Secret // KindStandard: the endpoint's secrets at claim time
	authTok string   // KindTwilio: the account's auth token; "" sends unsigned
	skip    string   // non-empty: do not send, fail the delivery with this reason
	fail    error    // non-nil: do not send, count a failed attempt with this error
}

// outcome is what happened when a job was sent.
type outcome struct {
	job      *job
	at       time.Time // the clock's time of the attempt
	headers  http.Header
	status   int
	respBody []byte // what the attempt log keeps (responseLogBytes)
	reply    []byte // a Twilio-style callback's whole answer, up to replyBytes, for OnTwilioReply
	latency  time.Duration
	err      error
	fallback *outcome // a callback's attempt at its fallback URL after this one failed
}

// ok reports whether the attempt succeeded: a 2xx answer. A redirect is a failure, since we do
// not follow it: the receiver must be configured with its final URL.
func (o *outcome) ok() bool { return o.err == nil && o.status >= 200 && o.status < 300 }

// answered is the attempt that delivered: o, or its fallback; nil when neither did.
func (o *outcome) answered() *outcome {
	switch {
	case o.ok():
		return o
	case o.fallback != nil && o.fallback.ok():
		return o.fallback
	}
	return nil
}

// last is the last attempt made: the fallback's if there was one.
func (o *outcome) last() *outcome {
	if o.fallback != nil {
		return o.fallback
	}
	return o
}

// fallbackErrorCode is what Twilio adds as ErrorCode to the request it sends to a fallback URL
// when the primary URL failed (11200, HTTP retrieval failure).
const fallbackErrorCode = "11200"

// fallbackJob is j sent to its delivery's fallback URL: the same parameters with ErrorCode and
// ErrorUrl (the URL that failed) added, by the fallback's method, signed for the fallback URL.
func fallbackJob(j *job) (*job, error) {
	params, err := url.ParseQuery(string(j.d.Body))
	if err != nil {
		return nil, fmt.Errorf("webhooks: stored callback parameters: %w", err)
	}
	params.Set("ErrorCode", fallbackErrorCode)
	params.Set("ErrorUrl", j.url)
	f := *j
	f.url = j.d.FallbackURL
	f.d.Method, f.d.Body = cmp.Or(j.d.FallbackMethod, http.MethodPost), []byte(params.Encode())
	return &f, nil
}

// errorText is the logged reason of a failed attempt.
func (o *outcome) errorText() string {
	switch {
	case o.err != nil:
		return publicError(o.err)
	case o.ok():
		return ""
	case o.status >= 300 && o.status < 400:
		return fmt.Sprintf("status %d: redirects are not followed", o.status)
	default:
		return fmt.Sprintf("status %d", o.status)
	}
}

// send makes one attempt through the SSRF-guarded client. It never returns an error of its own:
// every failure is the attempt's outcome, to be logged and retried.
func (s *Service) send(ctx context.Context, j *job, now time.Time) outcome {
	o := outcome{job: j, at: now}
	target, body := j.url, j.d.Body
	if j.d.Kind == KindTwilio && j.d.Method == http.MethodGet {
		// Twilio's GET: the parameters join the URL's own query, and the signature covers the
		// whole URL with no parameters after it.
		target, body = withQuery(j.url, string(j.d.Body)), nil
	}
	req, err := http.NewRequestWithContext(ctx, cmp.Or(j.d.Method, http.MethodPost), target, bytes.NewReader(body))
	if err != nil {
		o.err = fmt.Errorf("webhooks: bad request to %s: %w", j.url, err)
		return o
	}
	req.Header.Set("User-Agent", UserAgent)
	switch j.d.Kind {
	case KindTwilio:
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("I-Twilio-Idempotency-Token", j.d.EventID)
		if j.authTok != "" {
			params, err := url.ParseQuery(string(body))
			if err != nil {
				o.err = fmt.Errorf("webhooks: stored callback parameters: %w", err)
				return o
			}
			req.Header.Set(HeaderTwilioSignature, TwilioSignature(j.authTok, target, params))
		}
	default:
		req.Header.Set("Content-Type", "application/json")
		SetHeaders(req.Header, ActiveKeys(j.secrets, now), j.d.EventID, now, j.d.Body)
	}
	o.headers = req.Header.Clone()

	start := time.Now() // latency is a measurement, so it is real time even under a fake clock
	resp, err := s.client.Do(req)
	if err != nil {
		o.latency = time.Since(start)
		o.err = err
		return o
	}
	o.latency = time.Since(start)
	o.status = resp.StatusCode
	limit := int64(responseLogBytes)
	if j.d.Kind == KindTwilio && s.onReply != nil {
		limit = replyBytes
	}
	o.respBody, _, err = ReadLimited(resp.Body, limit)
	if int64(len(o.respBody)) > responseLogBytes {
		o.reply, o.respBody = o.respBody, o.respBody[:responseLogBytes]
	} else if j.d.Kind == KindTwilio {
		o.reply = o.respBody
	}
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
	}
	resp.Body.Close()
	return o
}

// withQuery appends an encoded query to raw's own, if it has one.
func withQuery(raw, query string) string {
	switch {
	case query == "":
		return raw
	case strings.Contains(raw, "?"):
		return raw + "&" + query
	}
	return raw + "?" + query
}
