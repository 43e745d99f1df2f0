"""``python -m belonging``."""

from belonging.cli import entrypoint

if __name__ == "__main__":
    entrypoint()
