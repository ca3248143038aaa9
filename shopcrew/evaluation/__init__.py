"""The evaluation harness: replay of τ-bench tasks and the agents' evals."""

__all__: list[str] = []
