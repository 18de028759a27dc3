"""Widgets of the agent and supervisor screens."""
