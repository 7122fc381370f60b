// Benchmarks for Chorus. Run: swift run -c release chorus-bench
print("no benchmarks yet")
