"""Channel attribution: journeys aggregated to paths (journeys, paths), the eight models (models, markov),
the full-chain channel table (channels) and what the page and CLI show (report)."""
