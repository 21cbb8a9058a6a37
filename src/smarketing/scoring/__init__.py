"""Lead scoring: rules (rules), point-in-time scores in the database (scores), the in-memory tuner model
(tuner), evaluation and curves (evaluation), the fit-vs-interest quadrant (quadrants), suggested points (suggest)."""
