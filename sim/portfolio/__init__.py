"""Portfolios: several use cases on one budget and one shared future (README, "Portfolios";
docs/model.md, "Portfolios").

A portfolio file names member studies, the inputs they share (drawn once per sample for
all of them), the limits across them (engineering hours per quarter, MLOps FTE, upfront
budget) and what to maximize. :func:`run_portfolio` evaluates every member's strategies on
the common futures and finds the best subset and start order of projects.

Examples
--------
>>> from sim.portfolio import load_portfolio, run_portfolio
>>> result = run_portfolio(load_portfolio("studies/portfolio.toml"))  # doctest: +SKIP
>>> result.table()  # doctest: +SKIP
"""

from sim.portfolio.flows import ChoiceFlows, MemberFlows, member_block, member_flows
from sim.portfolio.optimize import Scorer, Search, payback_months_of, search
from sim.portfolio.result import Figures, PortfolioResult, figures
from sim.portfolio.run import run_portfolio
from sim.portfolio.schedule import (
    Project,
    fits_budget,
    parallel_starts,
    schedule,
    sequential_starts,
)
from sim.portfolio.spec import OBJECTIVES, Limits, Member, Portfolio, load_portfolio

__all__ = [
    "OBJECTIVES",
    "ChoiceFlows",
    "Figures",
    "Limits",
    "Member",
    "MemberFlows",
    "Portfolio",
    "PortfolioResult",
    "Project",
    "Scorer",
    "Search",
    "figures",
    "fits_budget",
    "load_portfolio",
    "member_block",
    "member_flows",
    "parallel_starts",
    "payback_months_of",
    "run_portfolio",
    "schedule",
    "search",
    "sequential_starts",
]
