"""The demand planner's judgement calls, in one place (the defaults are what the README reports)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DemandSettings"]


@dataclass(frozen=True, slots=True)
class DemandSettings:
    """Numbers the planner cannot read off one market's history.

    They were set on the development markets and checked by halves and on synthetic markets
    (`benchmarks/demand_cv.py`); change them for a merchant whose business differs.
    """

    fad_probability: float = 0.5
    """The chance that a sharp rise collapses: the history cannot tell a fad from a hit."""
    week_excess: float = 0.5
    """Log growth of the last week over the two before, beyond last year's, that flags a rise."""
    amplitude_spread: float = 0.4
    """Year-to-year variation of the New-Year effect: a ratio ρ adds (this · log ρ)² to the
    log variance of the forecast, since last year's amplitude is one draw of a varying one."""
    regional_chi2: float = 80.0
    """Σ z² over the regions past which last year's regional New-Year shift is believed."""
