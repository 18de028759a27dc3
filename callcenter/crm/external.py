"""Screen pops for an external CRM: a URL to open, and a webhook to notify.

A queue may carry a URL template, e.g.
``https://crm.example.com/customers/{customer_id}?call={call_id}``: the
agent's console shows the rendered link with the pop. Values are
URL-encoded; a missing value (unknown caller) renders as empty.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

POP_FIELDS = ("call_id", "queue", "agent_id", "caller_number", "customer_id", "account_number", "tier")


def url_problem(url: str) -> str | None:
    """What is wrong with an external CRM address, or None."""
    if urlsplit(url).scheme not in ("http", "https"):
        return "must start with http:// or https://"
    return None


def template_problem(template: str) -> str | None:
    """What is wrong with a URL template, or None when it is usable."""
    if (problem := url_problem(template)) is not None:
        return problem
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"bad braces: {exc}"
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in POP_FIELDS:
            return f"unknown field {{{field}}}; use {', '.join('{' + f + '}' for f in POP_FIELDS)}"
        if spec or conversion:
            return f"{{{field}}} takes no format or conversion"
    return None


def render_pop_url(template: str, values: Mapping[str, str | None]) -> str:
    """The template with every field URL-encoded (None -> empty)."""
    encoded = {name: quote(values.get(name) or "", safe="") for name in POP_FIELDS}
    return template.format_map(encoded)
