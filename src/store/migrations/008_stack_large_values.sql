-- Each stack's inuse in objects of LARGE_OBJECT_BYTES (1 MiB) or more
-- (src/pprof/profile.ts: Go writes one sample per stack and object size), so
-- a daemon restart rebuilds the same split detection reads live: the
-- oversized-requests class and a site's typical object size. Without it a
-- restored stack is large or not by its mean, and 8 MiB buffers among
-- thousands of small objects of the same stack vanish from the history.
--
-- Absolute values, one row per stack that holds large objects in that
-- scrape (a handful per profile), not keyframe + delta: rows are few, and a
-- dropped scrape (downsampling, retention) takes its rows with it and
-- leaves every other scrape exact. `scrapes.large_split` marks the scrapes
-- written with this table: there a stack without a row has no large
-- objects; scrapes stored before it know only the mean.
CREATE TABLE stack_large_values (
  scrape_id      INTEGER NOT NULL REFERENCES scrapes(id) ON DELETE CASCADE,
  stack_id       INTEGER NOT NULL REFERENCES stacks(id),
  large_bytes    REAL NOT NULL,
  large_objects  REAL NOT NULL,
  PRIMARY KEY (scrape_id, stack_id)
) WITHOUT ROWID;

ALTER TABLE scrapes ADD COLUMN large_split INTEGER NOT NULL DEFAULT 0;
