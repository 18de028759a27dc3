"""The parts of the call forecaster; the public entry point is ``wfm.forecast``."""
