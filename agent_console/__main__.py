"""``python -m agent_console [--server URL] [--user NAME]``."""

from __future__ import annotations

import argparse

from agent_console.app import ConsoleApp


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="agent_console", description="Agent and supervisor console.")
    parser.add_argument("--server", help="API address, e.g. http://127.0.0.1:8080 (default: the last one used)")
    parser.add_argument("--user", help="user name (default: the last one used)")
    args = parser.parse_args(argv)
    ConsoleApp(server=args.server, username=args.user).run()


if __name__ == "__main__":
    main()
