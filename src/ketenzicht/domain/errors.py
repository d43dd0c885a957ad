"""Input errors that say where: file, row and column, in the words a user reads (Dutch)."""

from __future__ import annotations


class LocatedInputError(ValueError):
    """Bad input in a file; the message starts with where it is: 'f.csv, rij 3, kolom 'x': …'.

    ``row`` counts like a spreadsheet: the header is row 1, the first data row is row 2.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = self.reason = message
        self.file = file
        self.row = row
        self.column = column
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"rij {row}")
        if column is not None:
            where.append(f"kolom '{column}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
