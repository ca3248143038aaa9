"""Test helpers shared by several test directories, imported as `support.*`.

`tests/` has no `__init__.py`, so pytest (default `prepend` import mode) puts `tests/` itself on
`sys.path` when it loads `tests/conftest.py`; that makes this package importable as `support`
from any test or conftest under `tests/`, whichever directories are collected together.
"""
