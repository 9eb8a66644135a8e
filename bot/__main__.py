"""`python -m bot chat | serve | ask`: see bot/cli.py."""

from bot.cli import main

raise SystemExit(main())
