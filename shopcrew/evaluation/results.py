"""The result file every `shopcrew eval` command writes: settings, figures, per-case trials.

A JSON object with a schema name and version (so `shopcrew eval compare` can refuse a file it
does not understand), the run's settings (what ran, on which data, with which code), the
command's headline figures and one record per case with its trials.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from shopcrew.errors import ResultFileError

if TYPE_CHECKING:
    from shopcrew.evaluation.harness import TrialsResult, Usage

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "CaseRecord",
    "EvalResult",
    "ResultFileError",
    "RunSettings",
    "TrialRecord",
    "UsageRecord",
    "capture_settings",
    "default_result_path",
    "file_sha256",
    "git_commit",
    "now",
    "result_file_error",
]

logger = logging.getLogger(__name__)

SCHEMA: Final = "shopcrew.eval-result"
SCHEMA_VERSION: Final = 1
"""Bumped when a field changes meaning or goes away; compare refuses other versions."""


def result_file_error(path: str, problem: str) -> ResultFileError:
    """The error for a result file that cannot be read, naming the schema this version writes."""
    return ResultFileError(path, problem, schema=SCHEMA, version=SCHEMA_VERSION)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UsageRecord(_Model):
    """Tokens and cost."""

    runs: int = Field(default=0, description="Model calls.")
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = Field(default=None, description="None when no price is known.")

    @classmethod
    def of(cls, usage: Usage) -> UsageRecord:
        """From the harness's `Usage`."""
        return cls(
            runs=usage.runs,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
        )


class RunSettings(_Model):
    """What ran, on what, with which code and when."""

    command: str = Field(description="The eval command, e.g. 'cs' or 'tau'.")
    data_file: str | None = Field(default=None, description="The case/task file.")
    data_sha256: str | None = Field(default=None, description="sha256 of the data file's bytes.")
    model: str | None = Field(default=None, description="Model spec, e.g. 'rules'.")
    seed: int = 0
    trials: int = 1
    concurrency: int = 1
    time_limit_s: float | None = Field(default=None, description="Per case; None is no limit.")
    git_commit: str | None = Field(default=None, description="HEAD of the code, when known.")
    git_dirty: bool | None = Field(default=None, description="Uncommitted changes in the tree.")
    shopcrew_version: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    python: str = Field(default_factory=platform.python_version)
    platform: str = Field(default_factory=platform.platform)
    extra: dict[str, JsonValue] = Field(
        default_factory=dict, description="Command-specific settings (other files, options)."
    )


class TrialRecord(_Model):
    """One trial of one case."""

    trial: int
    seed: int
    passed: bool
    duration_s: float
    error: str | None = None
    usage: UsageRecord = UsageRecord()
    detail: dict[str, JsonValue] = Field(default_factory=dict)


class CaseRecord(_Model):
    """All trials of one case."""

    id: str
    trials: int
    successes: int
    pass_hat_k: dict[int, float] = Field(description="k -> C(c, k) / C(n, k).")
    errors: list[str] = Field(default_factory=list, description="Timeouts and exceptions.")
    duration_s: float = Field(description="Wall time summed over the trials.")
    usage: UsageRecord = UsageRecord()
    results: list[TrialRecord]


class EvalResult(_Model):
    """The whole result file."""

    schema_name: Literal["shopcrew.eval-result"] = Field(default=SCHEMA, alias="schema")
    schema_version: int = SCHEMA_VERSION
    settings: RunSettings
    figures: dict[str, JsonValue] = Field(
        default_factory=dict, description="The command's headline figures."
    )
    pass_hat_k: dict[int, float] = Field(default_factory=dict, description="Mean over cases.")
    wall_time_s: float = 0.0
    usage: UsageRecord = UsageRecord()
    cases: list[CaseRecord] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @classmethod
    def from_trials(
        cls,
        trials: TrialsResult,
        settings: RunSettings | Mapping[str, Any],
        *,
        figures: Mapping[str, Any] | None = None,
    ) -> EvalResult:
        """Build the file's model from a harness run (see `TrialsResult.to_result`)."""
        cases = [
            CaseRecord(
                id=case.case_id,
                trials=case.trials,
                successes=case.successes,
                pass_hat_k={k: case.pass_hat(k) for k in range(1, case.trials + 1)},
                errors=list(case.errors),
                duration_s=sum(r.duration_s for r in case.results),
                usage=UsageRecord.of(case.usage),
                results=[
                    TrialRecord(
                        trial=r.trial,
                        seed=r.seed,
                        passed=r.passed,
                        duration_s=r.duration_s,
                        error=r.error,
                        usage=UsageRecord.of(r.usage),
                        detail=_jsonable(dict(r.detail)),
                    )
                    for r in case.results
                ],
            )
            for case in trials.cases()
        ]
        return cls(
            settings=_settings(settings, trials),
            figures=_jsonable(dict(figures or {})),
            pass_hat_k=trials.pass_hat(),
            wall_time_s=trials.wall_time_s,
            usage=UsageRecord.of(trials.usage()),
            cases=cases,
        )

    def to_json(self) -> str:
        """The file's text (indented, UTF-8 kept readable)."""
        data = self.model_dump(mode="json", by_alias=True)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the file (parents created, replaced atomically); return its path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        scratch.write_text(self.to_json(), encoding="utf-8")
        scratch.replace(target)
        logger.info("wrote the result file %s", target)
        return target

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> EvalResult:
        """Read and check a result file.

        Raises:
            ResultFileError: Missing, not JSON, another schema or version, or malformed.
        """
        where = str(path)
        try:
            data = json.loads(Path(path).read_bytes())
        except FileNotFoundError:
            raise result_file_error(where, "the file does not exist") from None
        except OSError as exc:
            raise result_file_error(where, f"cannot read the file ({exc.strerror or exc})") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise result_file_error(where, f"not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            found = data.get("schema") if isinstance(data, dict) else type(data).__name__
            raise result_file_error(where, f"not an eval result file (schema {found!r})")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise result_file_error(
                where,
                f"schema version {data.get('schema_version')!r}, this shopcrew reads "
                f"version {SCHEMA_VERSION} only",
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise result_file_error(where, f"{field}: {first['msg']}") from exc


def _jsonable(value: dict[str, Any]) -> dict[str, JsonValue]:
    # Round-trip through json so tuples, Decimals and dataclass-free values become plain JSON.
    loaded: dict[str, JsonValue] = json.loads(json.dumps(value, default=str))
    return loaded


def _settings(given: RunSettings | Mapping[str, Any], trials: TrialsResult) -> RunSettings:
    if isinstance(given, RunSettings):
        return given
    known = set(RunSettings.model_fields)
    fields = {key: value for key, value in given.items() if key in known}
    extra = dict(fields.pop("extra", {}) or {})
    extra.update({key: value for key, value in given.items() if key not in known})
    fields.setdefault("seed", trials.seed)
    fields.setdefault("trials", trials.trials)
    fields.setdefault("concurrency", trials.concurrency)
    fields.setdefault("time_limit_s", trials.time_limit_s)
    fields.setdefault("command", "unknown")
    return capture_settings(**fields, extra=_jsonable(extra))


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """sha256 of a file's bytes, or of a directory's files (names and bytes, sorted).

    None when it cannot be read.
    """
    target = Path(path)
    digest = hashlib.sha256()
    try:
        if target.is_dir():
            for item in sorted(p for p in target.rglob("*") if p.is_file()):
                digest.update(item.relative_to(target).as_posix().encode() + b"\0")
                digest.update(item.read_bytes())
        else:
            digest.update(target.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def git_commit(where: str | os.PathLike[str] | None = None) -> tuple[str | None, bool | None]:
    """HEAD of the git checkout holding the code (or `where`), and whether it has changes.

    Returns ``(None, None)`` outside a checkout or without git.
    """
    directory = Path(where) if where is not None else Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return None, None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None, None
    dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
    return head.stdout.strip() or None, dirty


def _shopcrew_version() -> str | None:
    try:
        return version("shopcrew")
    except PackageNotFoundError:
        return None


def capture_settings(
    command: str, *, data_file: str | os.PathLike[str] | None = None, **fields: Any
) -> RunSettings:
    """Settings of a run with the environment filled in.

    The data file's sha256 (unless given), git commit, shopcrew version, Python and
    platform; other fields as given.
    """
    commit, dirty = git_commit()
    if data_file is not None:
        fields.setdefault("data_sha256", file_sha256(data_file))
    fields.setdefault("git_commit", commit)
    fields.setdefault("git_dirty", dirty)
    fields.setdefault("shopcrew_version", _shopcrew_version())
    return RunSettings(
        command=command, data_file=None if data_file is None else str(data_file), **fields
    )


def default_result_path(out: str | os.PathLike[str]) -> Path:
    """Where the result file goes when `--result` is not given: OUT.jsonl -> OUT.result.json."""
    target = Path(out)
    stem = target.name[: -len(target.suffix)] if target.suffix else target.name
    return target.with_name(f"{stem}.result.json")


def now() -> datetime:
    """The current time in UTC (the settings' started_at / finished_at)."""
    return datetime.now(UTC)
