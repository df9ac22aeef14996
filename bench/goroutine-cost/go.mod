module heapwatch.bench/goroutinecost

go 1.26.0
