package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// TransferKind says what a journal entry does to the balances, as in TigerBeetle.
type TransferKind string

// The transfer kinds. A pending transfer holds money; exactly one post_pending, void_pending or
// expire entry (pending_id pointing at it) later resolves it.
const (
	KindPost        TransferKind = "post"         // moves amount at once
	KindPending     TransferKind = "pending"      // holds amount on the debit account
	KindPostPending TransferKind = "post_pending" // resolves a hold, moving amount (<= held)
	KindVoidPending TransferKind = "void_pending" // resolves a hold, moving nothing; amount is what was released
	KindExpire      TransferKind = "expire"       // like void_pending, by the sweeper
)

// Transfer is one journal entry. The journal is append-only (triggers refuse UPDATE and DELETE):
// every balance in the ledger is a function of it.
type Transfer struct {
	ID            string
	OpID          string // the operation's journal id (see journalIDs)
	DebitAccount  string
	CreditAccount string
	Amount        int64
	Kind          TransferKind
	PendingID     string // the pending transfer a resolution resolves
	HoldID        string
	GrantID       string // the promo grant that paid (or was granted, or clawed back)
	Tenant        string
	Product       string
	Metadata      string    // JSON
	ExpiresAt     time.Time // a pending transfer's: when its hold expires
	ResolutionKey string    // a resolution's: opID of its operation and key, so a retry is recognised
	CreatedAt     time.Time
}

// Part is one slice of a hold or a charge: which account (and, for promo, which grant) paid how
// much.
type Part struct {
	TransferID string
	Account    string
	GrantID    string
	Amount     int64
}

// recordID is the id of an operation's idempotency record in ledger_ops: the same key always
// names the same record, so a retry finds the first attempt's record instead of moving money
// twice. It is the operation and the key themselves, so that keys that grow (an SMS hold's key
// holds its time-ordered message id) append to ledger_ops instead of each dirtying a random page
// of it, as a hash did; a key too long to be a good primary key is hashed (opID; a hash has no
// "|", so the two forms never meet). Migration 0044 renamed the records stored under hashes.
func recordID(op, key string) string {
	if len(op)+1+len(key) > maxRecordID {
		return opID(op, key)
	}
	return op + "|" + key
}

// maxRecordID is the longest record id kept readable; longer ones are hashed.
const maxRecordID = 200

// opID derives a fixed-length deterministic id of an operation from its idempotency key: the id
// of a hold's resolution (stored on its entries as resolution_key), and of a record whose key is
// too long to be its own id.
func opID(op, key string) string {
	sum := sha256.Sum256([]byte(op + "|" + key))
	return hex.EncodeToString(sum[:16])
}

// transferID names the n-th transfer of the operation with journal id op. Ids of one operation
// sort together, so its transfers are found by a primary-key range scan (see partRange).
func transferID(op string, n int) string {
	if 0 <= n && n < 10 { // "%02d" without fmt: this is on every entry's path
		return op + ":0" + strconv.Itoa(n)
	}
	return op + ":" + strconv.Itoa(n)
}

// partRange is the half-open id range that holds every transfer of op (':' < ';').
func partRange(op string) (lo, hi string) { return op + ":", op + ";" }

// fingerprint summarises a request so a key reused for a different request is refused rather than
// answered with another request's result.
func fingerprint(args ...any) string {
	sum := sha256.Sum256(fmt.Appendln(nil, args...))
	return hex.EncodeToString(sum[:16])
}
