"""Workforce management: forecasting, Erlang staffing, CP-SAT rostering, simulation checks."""
