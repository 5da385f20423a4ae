"""Pure, deterministic geometry: the official sheet and the swimlane diagram."""
