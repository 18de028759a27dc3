"""AMI ingestion: the adapter against a bare asyncio read of the same bytes.

The stream is every AMI capture's received bytes (tests/fixtures/asterisk,
Asterisk 22 with ``read = all``: half VarSet, the rest Newexten, Cdr, call
events, list items ...), concatenated until it reaches ``--mb`` megabytes.

Both contenders read from an in-memory StreamReader holding the whole
stream, in the same process, one after the other (best of ``--repeat``):

* raw: ``await reader.readuntil(b"\\r\\n\\r\\n")`` in a loop, nothing else;
* adapter: the AMI client's own read loop (chunked reads, framing, header
  parsing, ActionID routing, typed translation) feeding the switch's
  channel tracker (state update, port events queued), exactly as live.

Prints both rates, the ratio (adapter / raw; the goal is at least 0.3) and
what the adapter did with the messages.

Run: python3 benchmarks/bench_ami.py [--mb 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from callcenter.telephony.asterisk.capture import received_bytes
from callcenter.telephony.asterisk.client import AmiSettings
from callcenter.telephony.asterisk.switch import AsteriskSettings, AsteriskSwitch

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "asterisk"
END = b"\r\n\r\n"


def stream(megabytes: float) -> bytes:
    """The captures' bytes, repeated to about ``megabytes`` MB."""
    one = b"".join(received_bytes(path) for path in sorted(FIXTURES.glob("ami-*.log")))
    if not one.endswith(END):
        one += END
    return one * max(1, round(megabytes * 1e6 / len(one)))


def reader_of(data: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=1 << 20)
    reader.feed_data(data)
    reader.feed_eof()
    return reader


async def raw(data: bytes) -> tuple[float, int]:
    reader = reader_of(data)
    count = 0
    start = time.perf_counter()
    try:
        while True:
            await reader.readuntil(END)
            count += 1
    except asyncio.IncompleteReadError:
        pass
    return time.perf_counter() - start, count


async def adapter(data: bytes) -> tuple[float, AsteriskSwitch, int]:
    switch = AsteriskSwitch(AsteriskSettings(ami=AmiSettings(), entry_contexts=("from-trunk",)), clock=time.time)
    reader = reader_of(data)
    start = time.perf_counter()
    await switch.ami._read_loop(reader)  # the client's own loop, as on a socket
    elapsed = time.perf_counter() - start
    queued = switch._queue.qsize()
    return elapsed, switch, queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="stream size in MB (default 50)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept (default 3)")
    args = parser.parse_args()

    data = stream(args.mb)
    messages = data.count(END)
    print(f"stream: {len(data) / 1e6:.1f} MB, {messages:,} AMI messages (captures of Asterisk 22.10, read = all)")
    gc.disable()  # neither side should pay for the other's garbage
    try:
        raw_best = min(asyncio.run(raw(data))[0] for _ in range(args.repeat))
        runs = [asyncio.run(adapter(data)) for _ in range(args.repeat)]
    finally:
        gc.enable()
    best = min(runs, key=lambda r: r[0])
    ours, switch, queued = best
    parser_stats = switch.ami._parser
    raw_rate, our_rate = messages / raw_best, messages / ours
    print(f"raw asyncio readuntil loop : {raw_best:6.3f} s  {raw_rate:>12,.0f} msg/s  {len(data) / raw_best / 1e6:7.1f} MB/s")
    print(f"adapter (parse+type+state) : {ours:6.3f} s  {our_rate:>12,.0f} msg/s  {len(data) / ours / 1e6:7.1f} MB/s")
    print(f"ratio adapter/raw          : {our_rate / raw_rate:.2f}  (goal >= 0.30)")
    print(
        f"adapter: {messages - parser_stats.skipped:,} messages parsed, {parser_stats.skipped:,} unused events "
        f"skipped by name, {parser_stats.malformed} malformed, {queued:,} port events queued"
    )


if __name__ == "__main__":
    main()
