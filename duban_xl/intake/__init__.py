"""Returned 报送表 in: identify, check against the ledger, merge into 反馈记录, answer with a 回执 (二（四）).

``parcel`` is what arrived; ``form`` reads one returned workbook without
trusting it; ``check`` compares it with the ledger; ``merge`` plans the
反馈记录 rows; ``receipt`` writes the 回执; ``store`` keeps the state in
``.duban/收件.sqlite``; ``run`` ties them together for a folder or a mailbox.
"""
