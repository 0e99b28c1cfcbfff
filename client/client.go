// Package client is the Go SDK of Switchboard's native REST API (/v1). It depends only on the
// standard library, so applications can import it without pulling in the server.
//
//	c := client.New("http://127.0.0.1:8080", client.WithBasicAuth(accountSID, authToken))
//	acct, err := c.Account(ctx)
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Client calls the native API.
type Client struct {
	base string
	http *http.Client
	auth func(*http.Request)
}

// Option configures a Client.
type Option func(*Client)

// WithBasicAuth authenticates with AccountSid:AuthToken or KeySid:Secret.
func WithBasicAuth(user, password string) Option {
	return func(c *Client) { c.auth = func(r *http.Request) { r.SetBasicAuth(user, password) } }
}

// WithBearer authenticates with an API key secret (or "KeySid:Secret").
func WithBearer(token string) Option {
	return func(c *Client) { c.auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) } }
}

// WithAppSignature signs each request with an App Key and App Secret (fresh nonce and timestamp).
func WithAppSignature(appKey, appSecret string) Option {
	return func(c *Client) {
		c.auth = func(r *http.Request) {
			var b [8]byte
			rand.Read(b[:])
			nonce := hex.EncodeToString(b[:])
			ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
			sum := sha1.Sum([]byte(appSecret + nonce + ts))
			r.Header.Set("App-Key", appKey)
			r.Header.Set("Nonce", nonce)
			r.Header.Set("Timestamp", ts)
			r.Header.Set("Signature", hex.EncodeToString(sum[:]))
		}
	}
}

// WithHTTPClient uses hc (for cookie jars, transports, timeouts).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// New returns a client for the platform at baseURL.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: baseURL, http: &http.Client{Timeout: 30 * time.Second}, auth: func(*http.Request) {}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is an error response of the API.
type Error struct {
	Status    int    `json:"status"`
	Code      int    `json:"code"`
	Message   string `json:"message"`
	MoreInfo  string `json:"more_info"`
	Field     string `json:"field"`
	RequestID string `json:"-"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("switchboard: %d %d: %s (request %s)", e.Status, e.Code, e.Message, e.RequestID)
}

// Code returns the public error code of err, or 0 when err is not an API error.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// RequestOption adjusts one request.
type RequestOption func(*http.Request)

// IdempotencyKey makes a POST safe to retry: the platform executes it once per key.
func IdempotencyKey(key string) RequestOption {
	return func(r *http.Request) { r.Header.Set("Idempotency-Key", key) }
}

// Header sets a header on one request.
func Header(name, value string) RequestOption {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

// Do sends a request with in as the JSON body (nil for none) and decodes the response into out
// (nil to discard). Non-2xx responses return *Error.
func (c *Client) Do(ctx context.Context, method, path string, in, out any, opts ...RequestOption) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	c.auth(req)
	for _, o := range opts {
		o(req)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
		if json.Unmarshal(data, e) != nil || e.Code == 0 {
			e.Message = string(data)
		}
		return e
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("switchboard: decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// List is a page of a list endpoint.
type List[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

// ListOptions selects a page.
type ListOptions struct {
	Limit  int
	Cursor string
}

func (o ListOptions) query() string {
	q := ""
	if o.Limit > 0 {
		q += "&limit=" + strconv.Itoa(o.Limit)
	}
	if o.Cursor != "" {
		q += "&cursor=" + o.Cursor
	}
	if q == "" {
		return ""
	}
	return "?" + q[1:]
}
