/**
 * The healthy series of the corpus that still raise a warning, each with
 * why: asserted as they are (test/corpus.test.ts, and the degraded replays
 * of test/corpus-degraded.test.ts), so that any other warning on a healthy
 * series fails. Issue 10 asks for none; README "Evaluation on real profiles".
 */

/**
 * The second held-out round (README: "Held-out check"), recorded before the
 * detector saw it and kept as recorded. trap-cache-log-slow's symbol table
 * misses as 1/t, but its recording grows nearly straight for 70 minutes
 * (5.0, 3.5, 4.5, 1.5, 4.5, 3.5, 4.5 MB per 10 min, ~23 MB/h): the slowing
 * shows only after the warm-up hold has let the growth through (minute 65).
 * It keeps everything it allocates (one new symbol per miss), so the kept
 * share (alloc.ts) cannot tell it from a leak either.
 */
const HELD_OUT_ROUND_2_FALSE_ALARMS = ['trap-cache-log-slow'];

/**
 * Held-out round 20 (stop 27), kept as recorded: caches whose fill takes
 * hours (1 - exp(-t/2 h), 1 - exp(-t/2.5 h), 1/t misses scraped every 2
 * minutes). At the warm-up's end each still grows at 0.6-0.8 of its first
 * hour's rate, nearly straight, and the 5 minutes of points that confirm
 * growth past the hold hold 2-4 sampled objects: they warn at minutes
 * 65-82, as trap-cache-log-slow does. The 1-minute 1/t table of the round
 * (trap-cache-log-2k) is held by its filling finding (test/corpus.test.ts).
 */
const HELD_OUT_ROUND_20_FALSE_ALARMS = ['trap-cache-log-2min', 'trap-cache-bound-2min-slow', 'trap-cache-bound-tau2h'];

/**
 * Held-out round 24 (stop 29), kept as recorded: a 1/t symbol table
 * scraped every 3 minutes (misses 0.2 x 50/(s+50) of 3000 lookups a
 * scrape: a time constant of 150 minutes, ~12 MB/h at first). It warns at
 * minute 69, when the confirmation past the warm-up passes, as round 20's
 * 1/t table at 2 minutes does.
 */
const HELD_OUT_ROUND_24_FALSE_ALARMS = ['trap-cache-log-3min'];

/**
 * Held-out round 52 (stop 41), kept as recorded: a session LRU that fills at
 * a constant rate until minute 55, then replaces entries, scraped every 90 s.
 * Its ~64 sampled entries are replaced too, so its sampled level wanders by
 * ±4 MB over the hour it takes to turn over: it dipped to 33.1 MB at the
 * warm-up's end (35.2 at minute 55) and then read 35.2, 36.3, 37.3 and 37.9,
 * a rise of 47 MB/h and five points in order (Mann–Kendall's least p), so
 * the 5-minute confirmation passed at minute 66. It resolved at minute 100.
 * Measured and left: on those points the share it kept of what it
 * allocated fell only from 0.93 to 0.69, and leaks' shares wander as much
 * (their maps and slices re-grow): asking the share to hold at 3/4 lost
 * leak-many-paths and delayed 15 leaks by up to 93 minutes. Asking the
 * points to continue the line fitted before the warm-up's end lost 33
 * leaks, Kitex field leaks whose first hour bends. Since stop 52 that
 * growth must also exceed the drift of the entries the site replaced since
 * (confirm.ts: grewBeyondReplacedError): it does, barely, two minutes later
 * (4.7 MB past the warm-up against a bound of 4.6).
 */
const HELD_OUT_ROUND_52_FALSE_ALARMS = ['trap-cache-fill-55min-90s'];

/**
 * Held-out round 54 (stop 42), kept as recorded: a 1/t symbol table scraped
 * every 4 minutes (misses 0.25 x 50/(s+50) of 4000 lookups a scrape: a time
 * constant of 200 minutes). Its sampled level grew 14.7 MB/h over the first
 * two hours, 7.8 over the next two and 7.6 over the last 96 minutes: the
 * slowing past the warm-up is a fifth, within the sampling error of the
 * ~16 sampled symbols an hour, so the confirmation passed at minute 92 and
 * the warning holds, as round 24's table at 3 minutes does.
 */
const HELD_OUT_ROUND_54_FALSE_ALARMS = ['trap-cache-log-4min'];

/**
 * Held-out round 55 (stop 42), kept as recorded: write-behind spools that
 * keep records at a steady rate and drop them all every 76 minutes (at 2
 * minutes) and every 2 hours (at 5 minutes). Their first tooth is growth at
 * a constant rate for longer than the hour issue 10 grants a fill, with no
 * release yet to say what it is, so it warns past the warm-up (minutes 72
 * and 75) and resolves after the release. Later teeth refill what the site
 * released and stay quiet (refill.ts); before it each warned again.
 */
const HELD_OUT_ROUND_55_FALSE_ALARMS = ['trap-spool-76min-2min', 'trap-spool-2h-5min'];

/**
 * Held-out round 58 (stop 43), kept as recorded: a cache without eviction
 * that approaches its bound as 1 - exp(-t/60 min), scraped every 30 s. Its
 * ~1 KiB entries are sampled one in ~500, so its first hour holds 27
 * sampled objects: their fall from one half hour to the next (16, then 11)
 * is within their sampling error, and four of them landed in the 5 minutes
 * after the warm-up's end (~1.5 expected), which the confirmation read as
 * the growth going on (warning at minute 65.5). Its tail slows for good
 * (1.6 MB in its last 80 minutes).
 */
const HELD_OUT_ROUND_58_FALSE_ALARMS = ['trap-cache-bound-tau60-30s'];

/**
 * Held-out round 64 (stop 45), kept as recorded: a golang-lru cache of
 * 60,000 entries under Zipf(1.05) lookups over 10 million keys, meant to
 * fill ever more slowly. The long tail kept its miss rate nearly constant:
 * it filled at ~55 MB/h for ~80 minutes, longer than the hour issue 10
 * grants a fill, and warns at minute 65 (resolved at 104), as round 60's
 * FIFO that fills for ~61 minutes does.
 */
const HELD_OUT_ROUND_64_FALSE_ALARMS = ['trap-lru-zipf-80min-1min'];

/**
 * Healthy series that still raise a warning: trap-cache-log-slow and rounds
 * 20's, 24's, 52's, 54's, 55's, 58's, 60's, 63's and 64's (above). Two more warned until stop 27, when a filling finding raised
 * past the warm-up began to hold its site until the growth regains the rate
 * it had then (confirm.ts: resumedAfterFilling): trap-cache-log, whose
 * recorded fill runs nearly straight at ~19 MB/h after minute 40, below the
 * ~27 MB/h it had when found filling at minute 70, and trap-cache-bound-5min,
 * whose sampled growth rose again between minutes 100 and 160. Both are
 * tested in test/corpus.test.ts.
 */
export const KNOWN_FALSE_ALARMS: ReadonlySet<string> = new Set([...HELD_OUT_ROUND_2_FALSE_ALARMS, ...HELD_OUT_ROUND_20_FALSE_ALARMS, ...HELD_OUT_ROUND_24_FALSE_ALARMS, ...HELD_OUT_ROUND_52_FALSE_ALARMS, ...HELD_OUT_ROUND_54_FALSE_ALARMS, ...HELD_OUT_ROUND_55_FALSE_ALARMS, ...HELD_OUT_ROUND_58_FALSE_ALARMS, ...HELD_OUT_ROUND_64_FALSE_ALARMS]);
