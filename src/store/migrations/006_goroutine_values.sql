-- Goroutine and goroutineleak profiles (issue 14), in the same model as
-- inuse and beside its tables, so nothing that reads heap scrapes changes:
-- one row per fetch, and per function and per stack the goroutine count,
-- as a keyframe (absolute counts) or as the change since the previous
-- stored fetch of the same kind in the same epoch, for changed ids only.
-- A fetch belongs to the target's heap epoch that was open when it arrived
-- (heap profiles tell restarts apart; goroutine profiles cannot): a new
-- epoch starts the goroutine series with a keyframe, and deleting an epoch
-- deletes its goroutine fetches.
CREATE TABLE goroutine_scrapes (
  id             INTEGER PRIMARY KEY,
  target_id      INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  epoch_id       INTEGER REFERENCES epochs(id) ON DELETE CASCADE,
  kind           TEXT NOT NULL,         -- goroutine | goroutineleak
  ts             INTEGER NOT NULL,      -- fetch start, ms
  profile_time   INTEGER,               -- the profile's own time_nanos, ms
  duration_ms    REAL NOT NULL,
  outcome        TEXT NOT NULL,         -- ok | error | unavailable (404: this Go has no such profile)
  error_code     TEXT,
  error_message  TEXT,
  body_bytes     INTEGER,
  goroutines     REAL,                  -- total goroutines in the profile
  keyframe       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX goroutine_scrapes_target ON goroutine_scrapes(target_id, kind, id);
CREATE INDEX goroutine_scrapes_epoch ON goroutine_scrapes(epoch_id, id);
CREATE INDEX goroutine_scrapes_ts ON goroutine_scrapes(ts);

-- Goroutines per function they wait in (the first application frame under
-- the runtime: src/detect/goroutine-frames.ts), keyframes and deltas.
CREATE TABLE goroutine_function_values (
  scrape_id    INTEGER NOT NULL REFERENCES goroutine_scrapes(id) ON DELETE CASCADE,
  function_id  INTEGER NOT NULL REFERENCES functions(id),
  goroutines   REAL NOT NULL,
  PRIMARY KEY (scrape_id, function_id)
) WITHOUT ROWID;

-- Goroutines per stack (the shared stacks dictionary), keyframes and deltas.
CREATE TABLE goroutine_stack_values (
  scrape_id   INTEGER NOT NULL REFERENCES goroutine_scrapes(id) ON DELETE CASCADE,
  stack_id    INTEGER NOT NULL REFERENCES stacks(id),
  goroutines  REAL NOT NULL,
  PRIMARY KEY (scrape_id, stack_id)
) WITHOUT ROWID;
