"""Money is Decimal with two places, end to end; price rules are strings such as "*0.8", "-50", "199"."""

import re
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

SALE_MULTIPLY = re.compile(r"^\*(0(\.\d{1,4})?|1(\.0{1,4})?)$")  # "*0.8": pay 80 %
SALE_SUBTRACT = re.compile(r"^-\d{1,8}(\.\d{1,2})?$")  # "-50": 50 yuan off
SALE_FIXED = re.compile(r"^\d{1,8}(\.\d{1,2})?$")  # "199": a fixed price


def to_money(value) -> Decimal:
    """`value` as a Decimal rounded half-up to the cent (never through float)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """Money as the API writes it, "70.00" (what DRF's DecimalField(decimal_places=2) answers)."""
    return f"{to_money(value):f}"


def is_valid_sale(sale: str) -> bool:
    return bool(SALE_MULTIPLY.match(sale) or SALE_SUBTRACT.match(sale) or SALE_FIXED.match(sale))


def apply_sale(price: Decimal, sale: str) -> Decimal:
    """The price after a rule; never below 0.00. Raises ValueError on a malformed rule."""
    sale, price = sale.strip(), Decimal(str(price))
    if SALE_MULTIPLY.match(sale):
        result = price * Decimal(sale[1:])
    elif SALE_SUBTRACT.match(sale):
        result = price - Decimal(sale[1:])
    elif SALE_FIXED.match(sale):
        result = Decimal(sale)
    else:
        raise ValueError(f"malformed price rule: {sale!r}")
    return max(to_money(result), ZERO)
