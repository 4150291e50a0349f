"""``python -m hullguard``."""

from hullguard.cli.main import main

if __name__ == "__main__":  # pragma: no cover
    main()
