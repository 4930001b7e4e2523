"""Serve the fake Admin API in the foreground: `python -m pump_costs.fake_anthropic --port 8765`."""

import argparse

from pump_costs.fake_anthropic.server import FAKE_ADMIN_KEY, SECOND_FAKE_ADMIN_KEY, FakeAdminApi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="loopback port (0 picks a free one)")
    args = parser.parse_args()
    api = FakeAdminApi(port=args.port)
    print(f"Fake Anthropic Admin API (synthetic data) at {api.base_url}", flush=True)
    print(f"  export ANTHROPIC_BASE_URL={api.base_url}", flush=True)
    print(f"  export ANTHROPIC_ADMIN_API_KEY={FAKE_ADMIN_KEY}", flush=True)
    print(f"  (a second organization's key: {SECOND_FAKE_ADMIN_KEY})", flush=True)
    api.serve_forever()


if __name__ == "__main__":
    main()
