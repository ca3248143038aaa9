"""Chat models: the offline rules model, a scripted model for tests, OpenAI-compatible models."""

__all__: list[str] = []
