-- What detection carries from a target's ended processes into its current
-- one (src/detect/crash-loop.ts): sites that grew, held in the warm-up,
-- until each of the latest processes ended (a crash loop), and leak
-- warnings still open when the last one ended (a restart mid-leak). One row
-- per target, rewritten when a process starts, so a daemon restart does not
-- forget it. `epoch_id` is the process it was carried into.
CREATE TABLE detector_carry (
  target_id  INTEGER PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
  epoch_id   INTEGER NOT NULL REFERENCES epochs(id) ON DELETE CASCADE,
  build_id   TEXT NOT NULL,            -- the main binary's build id of that process ('' when unknown)
  carried    TEXT NOT NULL,            -- JSON object: finding key -> CarriedGrowth
  saved_at   INTEGER NOT NULL          -- ms since the Unix epoch
);
