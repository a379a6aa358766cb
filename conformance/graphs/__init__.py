"""Deterministic graphs the conformance scenarios run: no model, no network."""
