-- The cloud sync outbox: events are written here in the same transaction as the change they describe
-- (a response on disk is a response that will be uploaded), and grouped into batches whose object name and
-- exact bytes are fixed before the first upload try, so a retry after a crash can never make a second copy.
CREATE TABLE sync_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- the appliance's own order, right even when the clock is not
    local_id    TEXT NOT NULL UNIQUE,               -- stable: the same event always gets the same id
    type        TEXT NOT NULL,
    time        REAL NOT NULL,                      -- wall-clock time as the appliance knew it
    time_synced INTEGER NOT NULL,                   -- 0 when the clock had not been set by NTP yet
    body        TEXT NOT NULL,                      -- JSON object: the event's own fields
    batch_id    INTEGER REFERENCES sync_batches(id)
);
CREATE INDEX sync_events_unbatched ON sync_events(seq) WHERE batch_id IS NULL;
CREATE INDEX sync_events_by_batch ON sync_events(batch_id);

CREATE TABLE sync_batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,     -- object name under the target, fixed before the first try
    kind         TEXT NOT NULL CHECK (kind IN ('events', 'results')),
    content_type TEXT NOT NULL,
    payload      BLOB,                     -- the exact bytes to upload; dropped once delivered
    signature    BLOB,                     -- detached Ed25519 signature of payload
    events       INTEGER NOT NULL DEFAULT 0,
    session_id   INTEGER,                  -- for results files: the ended session they describe
    created_at   REAL NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    delivered_at REAL,
    last_error   TEXT
);
CREATE INDEX sync_batches_pending ON sync_batches(id) WHERE delivered_at IS NULL;

-- Ended sessions whose results CSV and gradebook CSV have been queued.
CREATE TABLE sync_results_queued (
    session_id INTEGER PRIMARY KEY
);

INSERT OR IGNORE INTO appliance_state (key, value) VALUES ('appliance_id', lower(hex(randomblob(8))));
