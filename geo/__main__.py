"""``python -m geo``: PairMap's command line."""

from geo.cli import main

raise SystemExit(main())
