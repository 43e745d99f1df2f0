"""CLI command modules: each exposes ``register(subparsers)`` and ``run(args)``.

Top-level imports here are standard library only, so that ``belonging --help`` starts fast.
"""
