"""What `/metrics` reports: request counts and latencies, runs that ended here and how long
they took, written in Prometheus' text format (no client library: a few families)."""
