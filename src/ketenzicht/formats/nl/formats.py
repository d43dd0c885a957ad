"""The one Dutch date format of the product (issue 16 item 7): pages, PDFs and mails alike."""

DATE_FORMAT = "j F Y"  # 6 december 2026
DATETIME_FORMAT = "j F Y H:i"  # 6 december 2026 14:05
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
# Input formats, separators and the first day of the week stay Django's Dutch ones.
