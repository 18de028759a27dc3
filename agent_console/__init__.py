"""Terminal consoles for agents and supervisors (Textual).

The console talks to the contact center only over its HTTP and WebSocket
API, so it runs on the agent's own machine or over SSH. Start it with
``callcenter console`` or ``python -m agent_console``.
"""

from agent_console.app import ConsoleApp

__all__ = ["ConsoleApp"]
