-- Targets are keyed by their scrape URL: the identity that survives relabelling.
CREATE TABLE targets (
  id          INTEGER PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,
  url         TEXT NOT NULL,
  labels      TEXT NOT NULL,            -- JSON object
  first_seen  INTEGER NOT NULL,         -- ms since the Unix epoch
  last_seen   INTEGER NOT NULL
);

-- One row per process lifetime of a target. A restart (alloc counters going
-- down, or a new build id) ends an epoch; deltas never cross epochs.
CREATE TABLE epochs (
  id          INTEGER PRIMARY KEY,
  target_id   INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  reason      TEXT NOT NULL,            -- first | restart | build_changed
  build_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX epochs_target ON epochs(target_id, id);

-- Every scrape attempt, successful or not.
CREATE TABLE scrapes (
  id             INTEGER PRIMARY KEY,
  target_id      INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  epoch_id       INTEGER REFERENCES epochs(id) ON DELETE CASCADE,
  ts             INTEGER NOT NULL,      -- scrape start, ms
  profile_time   INTEGER,               -- the profile's own time_nanos, ms
  duration_ms    REAL NOT NULL,
  outcome        TEXT NOT NULL,         -- ok | stale | error
  error_code     TEXT,
  error_message  TEXT,
  body_bytes     INTEGER,
  inuse_bytes    REAL,
  inuse_objects  REAL,
  alloc_bytes    REAL,
  alloc_objects  REAL,
  keyframe       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scrapes_target_ts ON scrapes(target_id, ts);
CREATE INDEX scrapes_epoch ON scrapes(epoch_id, id);

-- Dictionary: a function name is stored once, whatever the number of targets.
CREATE TABLE functions (
  id        INTEGER PRIMARY KEY,
  name      TEXT NOT NULL UNIQUE,
  filename  TEXT NOT NULL DEFAULT ''
);

-- Flat inuse per function. On a keyframe scrape the values are absolute;
-- otherwise they are the change since the previous scrape of the epoch, for
-- changed functions only. State at any scrape = keyframe + later deltas.
CREATE TABLE function_values (
  scrape_id      INTEGER NOT NULL REFERENCES scrapes(id) ON DELETE CASCADE,
  function_id    INTEGER NOT NULL REFERENCES functions(id),
  inuse_bytes    REAL NOT NULL,
  inuse_objects  REAL NOT NULL,
  PRIMARY KEY (scrape_id, function_id)
) WITHOUT ROWID;

-- Dictionary of call stacks (function ids, leaf first, as JSON).
CREATE TABLE stacks (
  id      INTEGER PRIMARY KEY,
  hash    TEXT NOT NULL UNIQUE,
  frames  TEXT NOT NULL
);

-- Per-stack inuse, keyframes and deltas exactly as function_values.
CREATE TABLE stack_values (
  scrape_id      INTEGER NOT NULL REFERENCES scrapes(id) ON DELETE CASCADE,
  stack_id       INTEGER NOT NULL REFERENCES stacks(id),
  inuse_bytes    REAL NOT NULL,
  inuse_objects  REAL NOT NULL,
  PRIMARY KEY (scrape_id, stack_id)
) WITHOUT ROWID;

-- Functions seen in any sample type during an epoch (alloc context for the
-- leak classes: e.g. Sonic decoder frames that only show in alloc_space).
CREATE TABLE epoch_functions (
  epoch_id     INTEGER NOT NULL REFERENCES epochs(id) ON DELETE CASCADE,
  function_id  INTEGER NOT NULL REFERENCES functions(id),
  PRIMARY KEY (epoch_id, function_id)
) WITHOUT ROWID;

-- Module versions read from Function.filename, per epoch.
CREATE TABLE epoch_modules (
  epoch_id  INTEGER NOT NULL REFERENCES epochs(id) ON DELETE CASCADE,
  module    TEXT NOT NULL,
  version   TEXT NOT NULL,
  PRIMARY KEY (epoch_id, module, version)
) WITHOUT ROWID;

-- Raw profile bytes as received (gzip), for `go tool pprof`.
CREATE TABLE profiles (
  id          INTEGER PRIMARY KEY,
  scrape_id   INTEGER NOT NULL UNIQUE REFERENCES scrapes(id) ON DELETE CASCADE,
  target_id   INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  ts          INTEGER NOT NULL,
  epoch_start INTEGER NOT NULL DEFAULT 0,  -- first profile of a process
  hourly      INTEGER NOT NULL DEFAULT 0,  -- first profile of its clock hour
  bytes       BLOB NOT NULL
);
CREATE INDEX profiles_target ON profiles(target_id, ts);
