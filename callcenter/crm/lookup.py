"""The screen-pop query path: caller number -> customer, history, cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.crm.phones import DEFAULT_REGION
from callcenter.crm.screenpop import LAST_CONTACTS, ScreenPop, build_screen_pop
from callcenter.storage.cases import Cases
from callcenter.storage.customers import Customers
from callcenter.storage.interactions import Interactions


async def screen_pop_for(
    session: AsyncSession,
    caller_number: str | None,
    ivr_path: Sequence[str] = (),
    ivr_inputs: Mapping[str, str] | None = None,
    waited_s: float = 0.0,
    customer_id: str | None = None,
    region: str = DEFAULT_REGION,
    exclude_call_id: str | None = None,
) -> ScreenPop:
    """Load what the screen pop of an offered call needs and build it.

    Three indexed reads: the customer (by ``customer_id`` when the IVR
    already identified them, else by the caller's number), their last five
    interactions, their open cases.

    Args:
        exclude_call_id: the current call, left out of "last interactions".
    """
    customers = Customers(session, region)
    customer = await customers.get(customer_id) if customer_id else await customers.find_by_phone(caller_number)
    if customer is None:
        return build_screen_pop(caller_number, None, (), (), ivr_path, ivr_inputs, waited_s)
    last = await Interactions(session).last_interactions(customer.id, LAST_CONTACTS + 1)
    last = tuple(i for i in last if i.id != exclude_call_id)[:LAST_CONTACTS]
    cases = await Cases(session).open_for(customer.id)
    return build_screen_pop(caller_number, customer, last, cases, ivr_path, ivr_inputs, waited_s)
