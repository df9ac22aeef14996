/**
 * Preloaded into the daemon child by the soak (`node --expose-gc --import
 * <this file>`): a full garbage collection every second. The soak judges
 * whether the daemon *retains* memory, and V8's heap-used figure between two
 * major GCs is mostly garbage: in a one-minute run V8 may or may not run a
 * mark-compact, so the same daemon read +39 MiB in one CI run and flat in the
 * next. A forced GC cannot free what is retained, so a real leak still
 * shows; only the garbage noise goes.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (typeof collect !== 'function') throw new Error('periodic-gc preload needs node --expose-gc');
setInterval(collect, 1000).unref();
