"""Repeated trials of eval cases: seeds, bounded concurrency, time limits, pass^k, usage.

Every `shopcrew eval` command runs its cases through `run_trials` (async cases) or
`run_trials_sync` (sync cases, each in its own thread). A case that raises or runs past the
time limit is a failed case with its error; it never ends the run. pass^k is τ-bench's: for a
case with n trials and c successes, C(c, k) / C(n, k), averaged over the cases, k = 1..n.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from math import comb
from typing import TYPE_CHECKING, Any, cast

from shopcrew.errors import TrialsConfigError
from shopcrew.models.usage import UsageTotals

if TYPE_CHECKING:
    from shopcrew.evaluation.results import EvalResult, RunSettings

__all__ = [
    "CaseResult",
    "CaseSummary",
    "RunCase",
    "RunCaseSync",
    "TrialsConfigError",
    "TrialsResult",
    "Usage",
    "derive_seed",
    "disagreeing_cases",
    "pass_hat_k",
    "pass_hat_line",
    "run_trials",
    "run_trials_sync",
    "trial_notes",
    "trials_agree",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and cost of one case (or a sum of cases)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    """Known cost in US dollars; None when no model call had a known price."""
    runs: int = 0
    """Model calls."""

    @classmethod
    def from_totals(cls, totals: UsageTotals) -> Usage:
        """Convert the totals of a `UsageRecorder` (`shopcrew.models.usage`)."""
        cost = None if totals.cost_usd is None else float(totals.cost_usd)
        return cls(totals.input_tokens, totals.output_tokens, cost, totals.runs)

    def __add__(self, other: Usage) -> Usage:
        """Sum two usages; the cost is None only when both are unknown."""
        costs = [c for c in (self.cost_usd, other.cost_usd) if c is not None]
        cost = float(sum((Decimal(str(c)) for c in costs), Decimal(0))) if costs else None
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            cost,
            self.runs + other.runs,
        )


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one trial of one case."""

    case_id: str
    trial: int
    seed: int
    passed: bool
    duration_s: float
    error: str | None = None
    """``"timeout after 30s"`` or ``"ExcType: msg"``: a failed case, never a crash of the run."""
    usage: Usage = Usage()
    detail: Mapping[str, Any] = field(default_factory=dict)
    """Whatever the command wants to keep per trial (JSON-serialisable): reasons, figures."""


RunCase = Callable[[str, int, int], Awaitable[CaseResult]]
"""Plays one trial: ``(case_id, trial, seed) -> CaseResult``."""
RunCaseSync = Callable[[str, int, int], CaseResult]
"""The sync twin of `RunCase`, run in a thread."""


def derive_seed(seed: int, case_id: str, trial: int) -> int:
    """The seed of one trial: a stable 63-bit hash of (run seed, case id, trial).

    The same triple always gives the same seed, on any machine and Python version (no
    ``hash()``, which is salted per process).
    """
    digest = hashlib.sha256(f"{seed}\x1f{case_id}\x1f{trial}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def pass_hat_k(successes: int, trials: int, k: int) -> float:
    """τ-bench's pass^k of one case: C(c, k) / C(n, k).

    The chance that k of its n trials, drawn without replacement, all succeeded.

    Raises:
        ValueError: k is not in 1..n, or c is not in 0..n.
    """
    if not 1 <= k <= trials:
        raise ValueError(f"k must be between 1 and the number of trials ({trials}), got {k}")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, got {successes}")
    return comb(successes, k) / comb(trials, k)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """All trials of one case."""

    case_id: str
    results: tuple[CaseResult, ...]
    """Its trials in trial order."""

    @property
    def trials(self) -> int:
        """How many trials ran."""
        return len(self.results)

    @property
    def successes(self) -> int:
        """How many trials passed."""
        return sum(result.passed for result in self.results)

    def pass_hat(self, k: int) -> float:
        """pass^k of this case (`pass_hat_k`)."""
        return pass_hat_k(self.successes, self.trials, k)

    @property
    def errors(self) -> tuple[str, ...]:
        """The errors of the trials that had one (timeouts, exceptions)."""
        return tuple(result.error for result in self.results if result.error is not None)

    @property
    def usage(self) -> Usage:
        """Usage summed over the trials."""
        return sum((result.usage for result in self.results), Usage())


@dataclass(frozen=True, slots=True)
class TrialsResult:
    """Every trial of every case of a run, in case order then trial order."""

    case_ids: tuple[str, ...]
    trials: int
    seed: int
    results: tuple[CaseResult, ...]
    wall_time_s: float
    concurrency: int = 1
    time_limit_s: float | None = None

    def cases(self) -> tuple[CaseSummary, ...]:
        """One summary per case, in case order."""
        by_case: dict[str, list[CaseResult]] = {case_id: [] for case_id in self.case_ids}
        for result in self.results:
            by_case[result.case_id].append(result)
        return tuple(CaseSummary(cid, tuple(found)) for cid, found in by_case.items())

    def pass_hat(self) -> dict[int, float]:
        """pass^k for k = 1..trials, averaged over the cases (τ-bench's figure).

        Empty when there are no cases.
        """
        cases = self.cases()
        if not cases:
            return {}
        return {
            k: sum(case.pass_hat(k) for case in cases) / len(cases)
            for k in range(1, self.trials + 1)
        }

    @property
    def passed(self) -> int:
        """Passed trials over all cases."""
        return sum(result.passed for result in self.results)

    @property
    def errors(self) -> int:
        """Trials that ended in an error or a timeout."""
        return sum(result.error is not None for result in self.results)

    def usage(self) -> Usage:
        """Usage summed over every trial."""
        return sum((result.usage for result in self.results), Usage())

    def for_trial(self, trial: int) -> tuple[CaseResult, ...]:
        """The results of one trial, in case order."""
        return tuple(result for result in self.results if result.trial == trial)

    def to_result(
        self,
        settings: RunSettings | Mapping[str, Any],
        *,
        figures: Mapping[str, Any] | None = None,
    ) -> EvalResult:
        """The result file's model (`shopcrew.evaluation.results.EvalResult`) of this run.

        Args:
            settings: A `RunSettings`, or a mapping of its fields (unknown keys go to
                ``settings.extra``); trials, seed, concurrency and time limit come from
                this run when the mapping lacks them.
            figures: The command's headline figures.
        """
        from shopcrew.evaluation.results import EvalResult

        return EvalResult.from_trials(self, settings, figures=figures)

    def to_json(
        self,
        settings: RunSettings | Mapping[str, Any],
        *,
        figures: Mapping[str, Any] | None = None,
    ) -> str:
        """The result file's JSON text of this run (see `to_result`)."""
        return self.to_result(settings, figures=figures).to_json()


def pass_hat_line(run: TrialsResult) -> str:
    """`pass^k over N cases x k trials: k=1 0.900, k=2 0.850, ...`."""
    figures = ", ".join(f"k={k} {value:.3f}" for k, value in run.pass_hat().items())
    return f"pass^k over {len(run.case_ids)} cases x {run.trials} trials: {figures}"


def disagreeing_cases(run: TrialsResult, key: str) -> tuple[str, ...]:
    """Cases whose trials gave different ``detail[key]``, or where some trial had an error.

    What a deterministic evaluator must never show.
    """
    return tuple(
        case.case_id
        for case in run.cases()
        if case.errors or len({repr(r.detail.get(key)) for r in case.results}) > 1
    )


def trials_agree(run: TrialsResult, key: str) -> bool:
    """Whether every case's trials gave the same ``detail[key]`` without errors."""
    return not disagreeing_cases(run, key)


def trial_notes(run: TrialsResult, *, agree_key: str | None = None) -> list[str]:
    """Lines a command prints before its summary line.

    Failed trials (timeouts, errors); then, with several trials, pass^k and, for a
    deterministic evaluator, whether the trials agreed on ``detail[agree_key]``.
    """
    several = run.trials > 1
    notes = [
        f"ERROR {r.case_id}{f' (trial {r.trial})' if several else ''}: {r.error}"
        for r in run.results
        if r.error is not None
    ]
    if several:
        notes.append(pass_hat_line(run))
        if agree_key is not None:
            differ = disagreeing_cases(run, agree_key)
            notes.append(
                f"trials agree on every case ({run.trials} trials, deterministic)"
                if not differ
                else f"trials differ on {len(differ)} case(s): {', '.join(differ[:10])}"
            )
    return notes


def _failure(case_id: str, trial: int, seed: int, started: float, error: str) -> CaseResult:
    return CaseResult(case_id, trial, seed, False, time.perf_counter() - started, error)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check(case_ids: Sequence[str], trials: int, concurrency: int, limit: float | None) -> None:
    if trials < 1:
        raise TrialsConfigError(f"trials must be at least 1, got {trials}")
    if concurrency < 1:
        raise TrialsConfigError(f"concurrency must be at least 1, got {concurrency}")
    if limit is not None and not limit > 0:
        raise TrialsConfigError(
            f"time_limit_s must be positive (or None for no limit), got {limit}"
        )
    seen: set[str] = set()
    for case_id in case_ids:
        if case_id in seen:
            raise TrialsConfigError(
                f"case id {case_id!r} appears twice; case ids must be unique "
                "(rename one in the data file)"
            )
        seen.add(case_id)


async def run_trials(
    case_ids: Sequence[str],
    run_case: RunCase,
    *,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> TrialsResult:
    """Run every case `trials` times, at most `concurrency` at once.

    Trials are started trial by trial (every case's trial 0, then trial 1...). Each gets the
    seed `derive_seed(seed, case_id, trial)`. The harness sets ``case_id``, ``trial``,
    ``seed`` and ``duration_s`` (wall time inside its slot) of what `run_case` returns.

    Args:
        case_ids: Unique case ids, in the order results are reported.
        run_case: Plays one trial.
        trials: Trials per case (k of pass^k goes up to it).
        seed: The run's seed.
        concurrency: Trials in flight at most.
        time_limit_s: Per trial; a trial past it is cancelled and recorded as failed.
        on_result: Called with each result as it arrives (completion order).

    Raises:
        TrialsConfigError: trials or concurrency below 1, a non-positive limit, duplicate ids.
    """
    _check(case_ids, trials, concurrency, time_limit_s)
    slots = asyncio.Semaphore(concurrency)
    started_run = time.perf_counter()

    async def one(case_id: str, trial: int) -> CaseResult:
        trial_seed = derive_seed(seed, case_id, trial)
        async with slots:
            result = await _attempt(run_case, case_id, trial, trial_seed, time_limit_s)
        if on_result is not None:
            on_result(result)
        return result

    tasks = [asyncio.ensure_future(one(c, t)) for t in range(trials) for c in case_ids]
    try:
        done = await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    order = {case_id: index for index, case_id in enumerate(case_ids)}
    ordered = sorted(done, key=lambda r: (order[r.case_id], r.trial))
    return TrialsResult(
        case_ids=tuple(case_ids),
        trials=trials,
        seed=seed,
        results=tuple(ordered),
        wall_time_s=time.perf_counter() - started_run,
        concurrency=concurrency,
        time_limit_s=time_limit_s,
    )


async def _attempt(
    run_case: RunCase, case_id: str, trial: int, trial_seed: int, time_limit_s: float | None
) -> CaseResult:
    """One trial under its time limit; a timeout, an error or a wrong return is a failure."""
    started = time.perf_counter()
    try:
        got = await asyncio.wait_for(run_case(case_id, trial, trial_seed), time_limit_s)
    except TimeoutError:
        logger.warning("case %s trial %d: timeout after %gs", case_id, trial, time_limit_s)
        return _failure(case_id, trial, trial_seed, started, f"timeout after {time_limit_s:g}s")
    except Exception as exc:
        # One case failing is a result of the run, never its end.
        logger.warning("case %s trial %d failed: %s", case_id, trial, _describe(exc))
        logger.debug("case %s trial %d traceback", case_id, trial, exc_info=True)
        return _failure(case_id, trial, trial_seed, started, _describe(exc))
    if not isinstance(got, CaseResult):
        problem = f"TypeError: the case returned {type(got).__name__}, not a CaseResult"
        got = _failure(case_id, trial, trial_seed, started, problem)
    return replace(
        got,
        case_id=case_id,
        trial=trial,
        seed=trial_seed,
        duration_s=time.perf_counter() - started,
    )


def _in_thread(run_case_sync: RunCaseSync) -> RunCase:
    """Wrap a sync case so each call runs in its own daemon thread.

    Daemon threads, not an executor: a case past its time limit cannot be stopped, so its
    thread is abandoned (it finishes in the background) and must not hold the process open.
    """

    async def run(case_id: str, trial: int, seed: int) -> CaseResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[CaseResult] = loop.create_future()

        def settle(result: CaseResult | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                # Whatever the case returned: run_trials checks that it is a CaseResult.
                future.set_result(cast(CaseResult, result))

        def target() -> None:
            outcome: CaseResult | None = None
            error: BaseException | None = None
            try:
                outcome = run_case_sync(case_id, trial, seed)
            except BaseException as exc:
                error = exc
            try:
                loop.call_soon_threadsafe(settle, outcome, error)
            except RuntimeError:
                pass  # the run is over (it timed this trial out): nobody waits for the result

        thread = threading.Thread(target=target, name=f"eval-case-{case_id}-{trial}", daemon=True)
        thread.start()
        return await future

    return run


def run_trials_sync(
    case_ids: Sequence[str],
    run_case_sync: RunCaseSync,
    *,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> TrialsResult:
    """`run_trials` for sync cases: each trial runs in a thread, at most `concurrency` at once.

    A trial past the time limit is recorded as timed out and its slot is freed; its thread
    cannot be stopped and finishes in the background (its result is dropped). `on_result`
    is called from the thread running the event loop: the calling one, or, when called from
    inside a running event loop, a helper thread running a loop of its own.
    """
    coroutine_args = (case_ids, _in_thread(run_case_sync))
    options: dict[str, Any] = {
        "trials": trials,
        "seed": seed,
        "concurrency": concurrency,
        "time_limit_s": time_limit_s,
        "on_result": on_result,
    }
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run_trials(*coroutine_args, **options))
    box: list[TrialsResult | BaseException] = []

    def host() -> None:
        try:
            box.append(asyncio.run(run_trials(*coroutine_args, **options)))
        except BaseException as exc:
            box.append(exc)

    helper = threading.Thread(target=host, name="eval-trials", daemon=True)
    helper.start()
    helper.join()
    outcome = box[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
