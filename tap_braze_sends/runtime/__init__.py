"""How the tap runs: planning, fetching, pacing, writing (knows no endpoint by name)."""
