"""Shared by the Python test scripts: every failed expectation is reported, not only the first,
and the script exits 1 when any failed."""
import sys

failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}")


def finish():
    print("FAILED" if failures else "ok")
    sys.exit(1 if failures else 0)
