"""What every PDF of the product is: tagged, for screen readers (issue 16 item 7).

WeasyPrint's PDF/UA-1 variant writes the structure tree (headings, paragraphs, tables, lists as
tags), `MarkInfo /Marked true`, the document language from `<html lang>` and the title from
`<title>`. Every `write_pdf` passes `pdf_variant=PDF_VARIANT`; tests/app/test_tagged_pdfs.py checks.
"""

PDF_VARIANT = "pdf/ua-1"
