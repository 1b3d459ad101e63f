"""Use cases: plain async functions over a unit of work that validate, decide and record."""
