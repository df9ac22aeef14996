-- alloc_space / alloc_objects next to inuse, per function and per stack, with
-- the same keyframe + delta encoding: a keyframe holds the cumulative counts
-- since the process started, other scrapes the change since the previous one
-- (what the site allocated in between). Detection uses them to tell memory
-- that follows load from memory that is retained (README: Detection).
-- Rows stored before this migration read as 0 (no allocation context).
ALTER TABLE function_values ADD COLUMN alloc_bytes REAL NOT NULL DEFAULT 0;
ALTER TABLE function_values ADD COLUMN alloc_objects REAL NOT NULL DEFAULT 0;
ALTER TABLE stack_values ADD COLUMN alloc_bytes REAL NOT NULL DEFAULT 0;
ALTER TABLE stack_values ADD COLUMN alloc_objects REAL NOT NULL DEFAULT 0;
