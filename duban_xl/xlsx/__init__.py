"""The xlsx layer: everything that reads or edits a workbook file at the zip/XML level.

WHY: the ledger is the office's record (SPEC «the user's workbook is sacred»);
every write edits only the parts it owns and copies the rest byte for byte.

- ``safety``: the gate every file passes before it is opened (sizes, bombs, DTDs);
- ``package``: the zip of parts, relationships and content types, raw-copy saving;
- ``styles``: the user's styles.xml, only ever appended to;
- ``cells``: cell XML (finding, creating, reading and writing cells);
- ``comments``: legacy comments and their VML shapes;
- ``marks``: validate --write's red fills and comments, recorded to be cleared;
- ``graft``: output sheets built with openpyxl and moved into the user's package;
- ``rows``: records appended to / replaced by key in an input sheet;
- ``atomic``: temp file + fsync + atomic replace;
- ``transaction``: one write — lock, changed-since-read check, backup, atomic replace.
"""
