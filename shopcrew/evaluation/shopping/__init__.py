"""The shopping-guide evaluation (`SHOPPING_FORMAT.md`): cases, the harness, our own grader."""

from shopcrew.evaluation.shopping.format import (
    Answer,
    AnswerLine,
    ShoppingCase,
    load_shopping_cases,
    read_answers,
)
from shopcrew.evaluation.shopping.grader import (
    ShoppingGrade,
    ShoppingReport,
    format_shopping_report,
    grade_answer,
)
from shopcrew.evaluation.shopping.run import (
    ShoppingTrialsReport,
    play_shopping_case,
    run_shopping_trials,
)

__all__ = [
    "Answer",
    "AnswerLine",
    "ShoppingCase",
    "ShoppingGrade",
    "ShoppingReport",
    "ShoppingTrialsReport",
    "format_shopping_report",
    "grade_answer",
    "load_shopping_cases",
    "play_shopping_case",
    "read_answers",
    "run_shopping_trials",
]
