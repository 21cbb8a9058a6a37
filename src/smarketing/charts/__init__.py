"""Plotly figure builders: pure functions DataFrame -> Figure, one module per analysis area."""
