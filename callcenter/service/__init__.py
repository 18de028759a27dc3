"""The service core: reactions to switch events and console commands.

Inbound adapters (the switch's event stream, the API, the CLI) call the
services here; they load state, ask the core (``acd.Router``, the IVR
interpreter) and hand the effects to an executor that drives the switch,
storage and the event bus. The API codes against
:class:`callcenter.service.facade.ContactCenter`.
"""
