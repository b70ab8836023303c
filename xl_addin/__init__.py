"""BUP Gruppbokningar: the Sofia workbook's buttons and the same functions on the command line."""

__version__ = "0.1.0"
