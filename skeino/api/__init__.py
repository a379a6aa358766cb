"""HTTP handlers: validated request in, service call, JSON or SSE out. Nothing else."""
