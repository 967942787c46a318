"""The office mailbox (二（四） 反馈 by mail): returned 报送表 in over IMAP, receipts out by SMTP.

A thin edge around the intake core: ``config`` reads duban.toml [mail],
``inbox`` speaks IMAP, ``message`` turns a message into a Parcel, ``names``
decodes the attachment names Chinese mail clients send.
"""
