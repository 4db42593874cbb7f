"""Entry point for ``python -m shipcheck``."""

from shipcheck.cli import main

if __name__ == "__main__":
    main()
