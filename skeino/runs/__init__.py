"""Runs: executing a LangGraph graph and turning its output into wire events."""
