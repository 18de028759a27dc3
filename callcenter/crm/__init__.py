"""Customers: value (CLV, RFM, tiers, segments), phone matching, screen pop.

The modules ``model``, ``phones``, ``value``, ``population`` and
``screenpop`` are pure and need no database; ``importer`` and ``lookup``
read and write through ``callcenter.storage``.
"""
