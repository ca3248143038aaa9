"""The report of `shopcrew eval tau`: pass^k, failure reasons, tasks with outputs apart."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from pydantic import JsonValue

from shopcrew.evaluation.harness import TrialsResult

__all__ = ["TauReport"]


@dataclass(frozen=True, slots=True)
class TauReport:
    """A run of `run_tau_eval`: the harness's trials and the failure reasons."""

    trials: TrialsResult
    agent_model: str
    user_model: str
    """The customer that ran, and what it knows."""
    output_tasks: frozenset[str] = frozenset()
    """Tasks that expect information stated (reported apart)."""

    def _subset(self, ids: frozenset[str], *, inside: bool) -> TrialsResult:
        keep = tuple(c for c in self.trials.case_ids if (c in ids) == inside)
        chosen = set(keep)
        return replace(
            self.trials,
            case_ids=keep,
            results=tuple(r for r in self.trials.results if r.case_id in chosen),
        )

    def turns(self) -> float | None:
        """Customer messages per conversation, on average over every trial."""
        counts = [r.detail.get("customer_turns") for r in self.trials.results]
        found = [c for c in counts if isinstance(c, int)]
        return sum(found) / len(found) if found else None

    def reasons(self) -> Counter[str]:
        """Trials per reason (``passed`` included; the harness's timeouts and errors too)."""
        counted: Counter[str] = Counter()
        for result in self.trials.results:
            reason = result.detail.get("reason")
            if isinstance(reason, str):
                counted[reason] += 1
            elif result.error is not None and result.error.startswith("timeout"):
                counted["timeout"] += 1
            else:
                # The trial raised before a conversation outcome (a bad task, say).
                counted["error"] += 1
        return counted

    def figures(self) -> dict[str, JsonValue]:
        """The headline figures for the result file."""
        hats: dict[str, JsonValue] = {
            f"pass^{k}": round(v, 4) for k, v in self.trials.pass_hat().items()
        }
        outputs = self._subset(self.output_tasks, inside=True)
        writes_only = self._subset(self.output_tasks, inside=False)
        turns = self.turns()
        return {
            **hats,
            "reasons": dict(self.reasons()),
            "tasks": len(self.trials.case_ids),
            "agent_model": self.agent_model,
            "customer": self.user_model,
            "customer_turns_mean": None if turns is None else round(turns, 2),
            "outputs_tasks": {
                "tasks": len(outputs.case_ids),
                **{f"pass^{k}": round(v, 4) for k, v in outputs.pass_hat().items()},
            },
            "other_tasks": {
                "tasks": len(writes_only.case_ids),
                **{f"pass^{k}": round(v, 4) for k, v in writes_only.pass_hat().items()},
            },
        }

    def lines(self) -> list[str]:
        """The printout: failure reasons, failed tasks (a few), pass^k."""
        out = [f"agent {self.agent_model}", f"customer: {self.user_model}"]
        total = len(self.trials.results) or 1
        for reason, count in self.reasons().most_common():
            out.append(f"  {reason:<20} {count:5d}  ({count / total:.1%})")
        failed = [r.case_id for r in self.trials.results if not r.passed]
        if failed:
            shown = ", ".join(sorted(set(failed))[:20])
            more = len(set(failed)) - 20
            out.append(f"failed: {shown}" + (f" (+{more} more)" if more > 0 else ""))
        for label, part in (
            ("tasks expecting information", self._subset(self.output_tasks, inside=True)),
            ("tasks expecting no information", self._subset(self.output_tasks, inside=False)),
        ):
            if part.case_ids:
                found = "  ".join(f"pass^{k} {v:.3f}" for k, v in part.pass_hat().items())
                out.append(f"  {label}: {len(part.case_ids)}, {found}")
            else:
                out.append(f"  {label}: none")
        turns = self.turns()
        if turns is not None:
            out.append(f"  customer messages per conversation: {turns:.1f}")
        hats = self.trials.pass_hat()
        cases, trials = len(self.trials.case_ids), self.trials.trials
        figures = "  ".join(f"pass^{k} {v:.3f}" for k, v in hats.items())
        out.append(
            f"tau: {figures} over {cases} tasks x {trials} trials in {self.trials.wall_time_s:.1f}s"
        )
        return out
