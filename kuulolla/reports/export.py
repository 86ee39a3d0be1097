"""CSV files of report tables.

The format is the one coordinators' spreadsheets expect (as in shifts/export.py):
UTF-8 with a byte-order mark, ``;`` between fields, CRLF line ends, one header row.
Numbers are numbers a spreadsheet can sum (tables.csv_value): counts without
thousands separators, shares and changes as the number of per cent in a column or
row whose name says "%", decimals with a comma. A hidden count and an estimate are
the words the page shows ("alle 5", "noin 430"). A text cell a spreadsheet would take
for a formula (starting ``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading ``'``
(OWASP: CSV injection); numbers, negative changes included, need none.
"""

from __future__ import annotations

import csv
import io

from kuulolla.core.spreadsheets import BOM, defuse
from kuulolla.reports.tables import Table, csv_value


def table_csv(table: Table, *, locale: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([defuse(c) for c in table.csv_columns or table.columns])
    for row in table.rows:
        writer.writerow(
            [v if isinstance(v, int) else defuse(v) for v in (csv_value(c, locale) for c in row)]
        )
    return BOM + out.getvalue()
