"""Exact arithmetic and the one rounding rule (四舍五入到分).

Every stored number — a leaf, a node, a component, a total — is rounded half-up to cents, and
a parent is computed from its children's *rounded* scores, so a bulletin always adds up: the
figures a reader sees sum to the figure printed beside them.

The engine runs its arithmetic inside :data:`ENGINE_CONTEXT` (see ``engine_context()``) so a
caller's global decimal context (precision, rounding) cannot change a score.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from fractions import Fraction

__all__ = ["CENT", "ZERO", "ONE", "HUNDRED", "ENGINE_CONTEXT", "engine_context", "r2",
           "steps_floor", "steps_ceil", "fraction_text", "gc_paused"]

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# 28 significant digits is far more than any score needs; traps turn silent NaNs into errors.
ENGINE_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])


def engine_context():
    """``with engine_context(): …`` — the engine's own decimal context, whatever the caller set."""
    return localcontext(ENGINE_CONTEXT)


def r2(value: Decimal, _quantize=Decimal.quantize, _cent=CENT, _half_up=ROUND_HALF_UP) -> Decimal:
    """Round half-up to cents. The rounding mode is passed explicitly: it must not depend on context.

    (The default arguments only bind names locally; this runs a few hundred thousand times a campaign.)
    """
    return _quantize(value, _cent, _half_up)


def steps_floor(numerator: Decimal, denominator: Decimal) -> int:
    """Whole steps in numerator / denominator (both ≥ 0), rounded down, computed exactly.

    ``divmod`` on Decimals gives the exact integer quotient and remainder, so a shortfall of
    exactly 10% at 5% a step is 2 steps — never 1.999… — whatever the precision.
    """
    return int(divmod(numerator, denominator)[0])


def steps_ceil(numerator: Decimal, denominator: Decimal) -> int:
    """As :func:`steps_floor`, but a started step counts as a whole one."""
    quotient, remainder = divmod(numerator, denominator)
    return int(quotient) + (1 if remainder else 0)


def fraction_text(value: Fraction, places: int = 4) -> str:
    """An exact fraction as text for an explanation: exact when it terminates within ``places``
    decimals, otherwise prefixed with “≈”."""
    scaled = value * 10**places
    if scaled.denominator == 1:
        return format(Decimal(scaled.numerator).scaleb(-places).normalize(), "f") if scaled.numerator else "0"
    approx = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return "≈" + format(approx, "f")



@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a campaign is computed.

    A computation allocates hundreds of thousands of small objects that all survive (the
    results), on top of inputs that are just as many; the collector would keep re-scanning
    them and more than double the run time. The engine makes no reference cycles that need
    collecting in the meantime, and the caller's setting is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
