// Command goroutine-cost measures what each profile kind heapwatch fetches
// costs the target: the time runtime/pprof takes to write it (the
// goroutine profile stops the world to snapshot every goroutine; the
// goroutineleak profile runs a full leak-detecting GC cycle) and its
// compressed size, in a process with -goroutines parked goroutines (half of
// them leaked on a channel nobody holds) and -heap MiB of live heap.
//
//	go run .                                   # go1.26.8: heap and goroutine only
//	GOEXPERIMENT=goroutineleakprofile go run . # go1.26.8 with goroutineleak
//	GOTOOLCHAIN=go1.27.3 go run .              # go1.27.3: all three
package main

import (
	"bytes"
	"flag"
	"fmt"
	"runtime"
	"runtime/pprof"
	"sort"
	"time"
)

var sink [][]byte

func main() {
	goroutines := flag.Int("goroutines", 10000, "parked goroutines")
	heapMiB := flag.Int("heap", 256, "live heap in MiB (1 KiB objects)")
	rounds := flag.Int("rounds", 5, "measurements per kind (median reported)")
	flag.Parse()

	for i := 0; i < *heapMiB*1024; i++ {
		sink = append(sink, make([]byte, 1024))
	}
	live := make(chan struct{})
	for i := 0; i < *goroutines; i++ {
		if i%2 == 0 {
			go func() { <-live }() // reachable: healthy waiters
		} else {
			ch := make(chan int)
			go func() { ch <- 1 }() // nobody else holds ch: leaked
		}
	}
	time.Sleep(200 * time.Millisecond)
	runtime.GC()

	fmt.Printf("%s, GOMAXPROCS %d, %d goroutines, %d MiB live heap\n", runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumGoroutine(), *heapMiB)
	fmt.Printf("%-14s %12s %10s\n", "profile", "write time", "size")
	for _, kind := range []string{"heap", "goroutine", "goroutineleak"} {
		p := pprof.Lookup(kind)
		if p == nil {
			fmt.Printf("%-14s %12s %10s\n", kind, "n/a", "(not in this build)")
			continue
		}
		var times []time.Duration
		var size int
		for r := 0; r < *rounds; r++ {
			var buf bytes.Buffer
			start := time.Now()
			if err := p.WriteTo(&buf, 0); err != nil {
				panic(err)
			}
			times = append(times, time.Since(start))
			size = buf.Len()
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		fmt.Printf("%-14s %12s %8d B\n", kind, times[len(times)/2].Round(10*time.Microsecond), size)
	}
	// What `params: { gc: 1 }` adds to a heap fetch: a full GC cycle, for comparison with goroutineleak's.
	var gcs []time.Duration
	for r := 0; r < *rounds; r++ {
		start := time.Now()
		runtime.GC()
		gcs = append(gcs, time.Since(start))
	}
	sort.Slice(gcs, func(i, j int) bool { return gcs[i] < gcs[j] })
	fmt.Printf("%-14s %12s\n", "runtime.GC()", gcs[len(gcs)/2].Round(10*time.Microsecond))
	close(live)
}
