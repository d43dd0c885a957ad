"""Region norms: terms, calendar, tables and default monitor sources, loaded from data files."""
