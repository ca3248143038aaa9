"""The customer-service evaluation (`CS_FORMAT.md`): cases, the harness, the grader."""

from shopcrew.evaluation.cs.format import (
    CsCase,
    CsExpect,
    CsTranscript,
    ExpectedWrite,
    TranscriptMessage,
    TranscriptToolCall,
    load_cases,
    parse_transcript_line,
    read_transcripts,
)
from shopcrew.evaluation.cs.grader import (
    CaseGrade,
    CsReport,
    StoreOwners,
    format_report,
    grade_case,
    grade_cases,
    normalise_said,
    write_key,
)
from shopcrew.evaluation.cs.run import (
    CsEvalReport,
    CsTrialsReport,
    play_case,
    run_cs_eval,
    run_cs_trials,
    to_transcript,
    trial_path,
)

__all__ = [
    "CaseGrade",
    "CsCase",
    "CsEvalReport",
    "CsExpect",
    "CsReport",
    "CsTranscript",
    "CsTrialsReport",
    "ExpectedWrite",
    "StoreOwners",
    "TranscriptMessage",
    "TranscriptToolCall",
    "format_report",
    "grade_case",
    "grade_cases",
    "load_cases",
    "normalise_said",
    "parse_transcript_line",
    "play_case",
    "read_transcripts",
    "run_cs_eval",
    "run_cs_trials",
    "to_transcript",
    "trial_path",
    "write_key",
]
