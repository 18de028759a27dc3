"""The Asterisk adapter: the Switch port over AMI (control, events) and
FastAGI (prompts and digits inside a caller's AGI session).

Layers, bottom up: ``protocol`` (AMI framing and parsing), ``events``
(typed AMI events), ``client`` (the AMI connection: login, actions,
reconnect), ``tracker`` (channels and bridges from events; the port events
they mean; resync), ``fastagi`` (the FastAGI server on panoramisk),
``switch`` (:class:`AsteriskSwitch`, the port). ``capture`` reads recorded
wire transcripts for tests and benchmarks. Nothing connects at import time.
"""
