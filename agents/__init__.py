"""The digital employees: each agent's prompt, tools, policy and node functions."""

__all__: list[str] = []
