// Package httpx holds what every HTTP surface shares: handlers that return errors, the one mapping
// from error kinds to statuses and public codes, strict JSON decoding, request IDs, client
// addresses, metrics, panic recovery and cursor pagination.
package httpx
