"""Benchmarks of skeino against the official LangGraph Agent Server (`python -m bench`)."""
