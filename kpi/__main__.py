"""python -m kpi report | docs | bench (see kpi/cli.py)."""

import sys

from .cli import main

sys.exit(main())
