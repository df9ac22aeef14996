-- Findings raised by the detectors, with their lifecycle. One row per
-- (target, epoch, key): repeated detections update it, never duplicate it.
CREATE TABLE findings (
  id               INTEGER PRIMARY KEY,
  target_id        INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  epoch_id         INTEGER NOT NULL REFERENCES epochs(id) ON DELETE CASCADE,
  key              TEXT NOT NULL,
  class            TEXT NOT NULL,
  severity         TEXT NOT NULL,
  title            TEXT NOT NULL,
  function         TEXT NOT NULL,
  headline         TEXT NOT NULL,    -- the summary without the rate
  stack            TEXT NOT NULL,    -- JSON array, leaf first
  growth_bytes     REAL NOT NULL,
  bytes_per_hour   REAL NOT NULL,
  detected_at      INTEGER NOT NULL, -- profile time (ms) when raised
  last_seen_at     INTEGER NOT NULL,
  state            TEXT NOT NULL,    -- open | resolved
  resolved_at      INTEGER,
  resolved_reason  TEXT,
  evidence         TEXT NOT NULL,    -- JSON
  summary          TEXT NOT NULL,
  remediation      TEXT NOT NULL,
  doc_url          TEXT NOT NULL,
  UNIQUE (target_id, epoch_id, key)
);
CREATE INDEX findings_state ON findings(state, target_id);
