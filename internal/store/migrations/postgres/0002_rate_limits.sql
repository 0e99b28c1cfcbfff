-- Operator overrides of request rate limits, per app or account and endpoint class. Every node
-- reloads them periodically, so a change applies cluster-wide within the reload interval.
CREATE TABLE rate_limit_overrides (
	owner_sid   TEXT NOT NULL,
	class       TEXT NOT NULL CHECK (class IN ('read', 'write', 'auth')),
	per_second  DOUBLE PRECISION NOT NULL CHECK (per_second >= 0),
	burst       DOUBLE PRECISION NOT NULL CHECK (burst >= 0),
	updated_at  BIGINT NOT NULL,
	PRIMARY KEY (owner_sid, class)
);
