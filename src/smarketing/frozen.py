"""Facts of a database file version that cannot change while it is open read-only (the app's connections:
imports swap in a new file, the app opens a new connection): computed once per version, not per query."""

from __future__ import annotations

ATTRIBUTE = "frozen_facts"  # set by smarketing.store.connection on the read-only connections it opens


def frozen_fact(con, key, compute):
    """`compute()` once per read-only file version (a connection of the app); every time elsewhere, where the
    tables may change (imports, tests)."""
    memo = getattr(con, ATTRIBUTE, None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
