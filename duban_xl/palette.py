"""Every colour duban puts in a workbook or a document, in one place.

Plain ``RRGGBB`` strings (no library types) so the template, the output
sheets, the safe writer's cell marks, the Excel buttons and the Word
templates all draw on the same values. Red/yellow/green follow Excel's own
«bad / neutral / good» cell styles, which clerks already read at a glance.
"""
from __future__ import annotations

# The template's header band and its text.
HEADER = "1F4E78"
HEADER_TEXT = "FFFFFF"
# Columns filled by formulas (有效时限, 剩余天数, 状态): grey, so nobody types over them.
FORMULA = "808080"
GRID = "BFBFBF"
LINK = "0563C1"

# Excel's «bad / neutral / good» styles: a light fill with a dark text of the same hue.
BAD_FILL, BAD_TEXT = "FFC7CE", "9C0006"
NEUTRAL_FILL, NEUTRAL_TEXT = "FFEB9C", "9C5700"
GOOD_FILL, GOOD_TEXT = "C6EFCE", "006100"

# Whole rows or sections of output sheets: 逾期 red, 临期/滞后 yellow, 未按时反馈 orange, 表扬 green.
ROW_RED = "F8CBAD"
ROW_YELLOW = "FFE699"
ROW_ORANGE = "FCD5B4"
SECTION_GREY = "D9D9D9"

# 报送表: cells the office filled (locked) and the rows a unit only co-handles (read-only, muted text).
FORM_LOCKED = "E7E6E6"
FORM_COHOST, FORM_COHOST_TEXT = "F2F2F2", "7F7F7F"
FORM_INPUT = "FFFFFF"  # the cells a unit fills in: plain white

# 总分 colour scale on 季度排名: below the base score red, the base itself white, above it green.
SCALE_LOW, SCALE_MID, SCALE_HIGH = "F8696B", "FFFFFF", "63BE7B"
# 状态 已办结 in 台账: a quiet blue, apart from 在办's green.
DONE_FILL, DONE_TEXT = "DDEBF7", "1F4E78"

# Comment boxes on marked cells (Excel's own note yellow).
COMMENT = "FFFFE1"

# GB/T 9704 red of the 发文机关标志 and the red line under it; black text and rules elsewhere.
DOCUMENT_RED = "E60012"
DOCUMENT_TEXT = "000000"


def argb(rgb: str) -> str:
    """'FFC7CE' → 'FFFFC7CE': the opaque ARGB form SpreadsheetML stores."""
    return "FF" + rgb


def rgb_tuple(rgb: str) -> tuple[int, int, int]:
    """'1F4E78' (or 'FF1F4E78') → (31, 78, 120), as xlwings and python-docx take colours."""
    rgb = rgb[-6:]
    return int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16)
