"""State schemas and graph factories: the crew graph and each agent's subgraph."""

__all__: list[str] = []
