"""CSV files of report tables.

The format is the one coordinators' spreadsheets expect (as in shifts/export.py):
UTF-8 with a byte-order mark, ``;`` between fields, CRLF line ends, one header row.
Every cell is the text the page shows for it in the same language (tables.text), so
small counts are "< 5" and lower bounds "≥ 12" in the file too. A cell a spreadsheet
would take for a formula (starting ``=``, ``+``, ``-``, ``@``, tab or CR) gets a
leading ``'`` (OWASP: CSV injection); "+12 %" is therefore written "'+12 %".
"""

from __future__ import annotations

import csv
import io

from kuulolla.reports.tables import Table, text

BOM = "\ufeff"


def defuse(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def table_csv(table: Table, *, locale: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([defuse(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([defuse(text(c, locale)) for c in row])
    return BOM + out.getvalue()
