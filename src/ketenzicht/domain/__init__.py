"""Framework-free domain rules.

Nothing in this package may import Django (a test enforces it): the rules here are
plain, typed Python that the Django apps call. Functions take `now` as an argument
instead of reading the clock.
"""
