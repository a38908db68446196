"""Passwords and PINs are hashed at a cost that resists guessing: the product ships scrypt at n = 2**14, r = 8
(the suite hashes cheaper, see conftest.py; what it tests is what the hashes do, and this is what they cost)."""

from __future__ import annotations

from conftest import SHIPPED_SCRYPT


def test_the_shipped_scrypt_cost_is_at_least_2_to_the_14():
    for what in ("passwords", "pins"):
        cost = SHIPPED_SCRYPT[what]
        assert cost["n"] >= 2**14 and cost["r"] >= 8 and cost["p"] >= 1, (what, cost)
